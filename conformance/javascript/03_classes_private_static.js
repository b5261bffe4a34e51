// Classes: public/private fields and methods, static members and blocks, accessors.
class Account {
  static #count = 0;
  static registry = [];
  static {
    // Static initialization block runs once, at class definition time.
    Account.bankName = "JSBank";
    Account.registry.push("static block ran");
  }

  #balance = 0;
  #history = [];
  owner;

  constructor(owner, initial = 0) {
    this.owner = owner;
    this.#deposit(initial);
    Account.#count++;
  }

  #deposit(amount) {
    if (amount < 0) throw new RangeError("negative deposit");
    this.#balance += amount;
    this.#history.push(amount);
  }

  deposit(amount) { this.#deposit(amount); return this; }

  get balance() { return this.#balance; }
  set balance(_) { throw new TypeError("balance is read-only"); }

  get #secretSummary() { return `${this.owner}:${this.#history.join("+")}`; }
  summary() { return this.#secretSummary; }

  static get count() { return Account.#count; }
  static isAccount(obj) { return #balance in obj; }
  static compare(a, b) { return a.#balance - b.#balance; }
}

print(Account.registry.join(), Account.bankName);
const alice = new Account("alice", 10).deposit(5).deposit(20);
const bob = new Account("bob");
print("balances:", alice.balance, bob.balance);
print("summary:", alice.summary());
print("count:", Account.count);
print("brand check:", Account.isAccount(alice), Account.isAccount({ balance: 1 }));
print("compare:", Account.compare(alice, bob));
try { alice.balance = 100; } catch (e) { print("setter:", e.name, e.message); }
try { alice.deposit(-1); } catch (e) { print("private method threw:", e.name, e.message); }
try { Account.compare(alice, {}); } catch (e) { print("foreign object:", e.constructor === TypeError); }

// Private names are not properties.
print("keys:", JSON.stringify(Object.keys(alice)), "json:", JSON.stringify(alice));
print("own names:", Object.getOwnPropertyNames(alice).join());
print("typeof class:", typeof Account, "proto methods:", Object.getOwnPropertyNames(Account.prototype).join());

// Field initialisers run in order and can see earlier fields.
class Point {
  x = 1;
  y = this.x + 1;
  ["computed" + "Key"] = "ck";
  static origin = new Point();
  toString() { return `(${this.x}, ${this.y})`; }
}
print("point:", String(new Point()), new Point().computedKey, String(Point.origin));

// Classes are not hoisted and cannot be called without new.
try { Point(); } catch (e) { print("call without new:", e.constructor.name); }

// Class expression with a name visible only inside.
const Anon = class Inner {
  who() { return Inner.name; }
};
print("class expression:", Anon.name, new Anon().who(), typeof Inner);

// Accessor pair defined with get/set and static inheritance of accessors.
class Temperature {
  #c = 0;
  get fahrenheit() { return this.#c * 9 / 5 + 32; }
  set fahrenheit(f) { this.#c = (f - 32) * 5 / 9; }
  get celsius() { return this.#c; }
}
const t = new Temperature();
t.fahrenheit = 212;
print("temperature:", t.celsius, t.fahrenheit);
const desc = Object.getOwnPropertyDescriptor(Temperature.prototype, "fahrenheit");
print("accessor descriptor:", typeof desc.get, typeof desc.set, desc.enumerable, desc.configurable);
