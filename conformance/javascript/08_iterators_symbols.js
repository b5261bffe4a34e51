// The iterator protocol, well-known symbols and Symbol basics.
// A hand-written iterator with return() called on early exit.
function makeRange(start, end) {
  let closed = false;
  return {
    [Symbol.iterator]() {
      let cur = start;
      return {
        next: () => (cur < end ? { value: cur++, done: false } : { value: undefined, done: true }),
        return: () => { closed = true; return { done: true }; },
      };
    },
    get closed() { return closed; },
  };
}
const r1 = makeRange(0, 5);
print("spread:", [...r1].join(","), "closed:", r1.closed);
const r2 = makeRange(0, 5);
for (const v of r2) { if (v === 2) break; }
print("break closes:", r2.closed);
const r3 = makeRange(0, 5);
const [d0, d1] = r3;
print("destructuring closes:", d0, d1, r3.closed);
const r4 = makeRange(0, 5);
try { for (const v of r4) { if (v === 1) throw new Error("stop"); } } catch (e) { print("throw closes:", r4.closed, e.message); }

// Built-in iterators.
const arrIt = ["a", "b"][Symbol.iterator]();
print("array iterator:", JSON.stringify(arrIt.next()), JSON.stringify(arrIt.next()), JSON.stringify(arrIt.next()));
print("entries:", JSON.stringify([...["x", "y"].entries()]), JSON.stringify([...new Set(["s"]).entries()]));
print("string iterator is by code point:", [..."a😀b"].length, "a😀b".length);
print("tags:", Object.prototype.toString.call([][Symbol.iterator]()), Object.prototype.toString.call(new Map().entries()));

// Symbols: uniqueness, description, registry, not enumerable in keys/JSON.
const s1 = Symbol("id");
const s2 = Symbol("id");
print("unique:", s1 === s2, s1.description, s1.toString(), typeof s1);
print("registry:", Symbol.for("app") === Symbol.for("app"), Symbol.keyFor(Symbol.for("app")), Symbol.keyFor(s1));
const o = { [s1]: "hidden", visible: 1 };
print("keys:", JSON.stringify(Object.keys(o)), JSON.stringify(o), Object.getOwnPropertySymbols(o).length, o[s1]);
try { print("" + s1); } catch (e) { print("implicit conversion:", e.constructor.name); }

// Symbol.toPrimitive, Symbol.toStringTag, Symbol.hasInstance.
const money = {
  amount: 42,
  [Symbol.toPrimitive](hint) { return hint === "number" ? this.amount : hint === "string" ? `$${this.amount}` : "default:" + this.amount; },
};
print("toPrimitive:", +money, `${money}`, money + "", money * 2);
class Temp { get [Symbol.toStringTag]() { return "Temperature"; } }
print("toStringTag:", Object.prototype.toString.call(new Temp()), String(new Temp()));
class Even { static [Symbol.hasInstance](n) { return n % 2 === 0; } }
print("hasInstance:", 4 instanceof Even, 3 instanceof Even);

// Symbol.isConcatSpreadable and Symbol.species.
const spreadable = { length: 2, 0: "p", 1: "q", [Symbol.isConcatSpreadable]: true };
print("concat:", JSON.stringify(["a"].concat(spreadable, ["b"])));
class PlainArr extends Array { static get [Symbol.species]() { return Array; } }
const pa = PlainArr.of(1, 2, 3);
print("species:", pa instanceof PlainArr, pa.map(x => x) instanceof PlainArr);

// valueOf / toString fallbacks without toPrimitive.
const v = { valueOf: () => 10, toString: () => "ten" };
print("valueOf/toString:", v + 1, `${v}`, String(v), v > 9);

// Iterating an object's own keys via Object.entries, and a manual iterator object.
const fib = {
  [Symbol.iterator]() {
    let [a, b] = [0, 1];
    return { next() { [a, b] = [b, a + b]; return { value: a, done: a > 20 }; } };
  },
};
print("fib iterator:", Array.from(fib).join(" "));
print("Array.from with map:", Array.from({ length: 4 }, (_, i) => i * i).join(","));
