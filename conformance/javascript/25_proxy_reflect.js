// Proxy traps and Reflect.
const log = [];
const target = { a: 1, b: 2 };
const handler = {
  get(t, key, receiver) {
    log.push(`get ${String(key)}`);
    return key in t ? Reflect.get(t, key, receiver) : `<missing ${String(key)}>`;
  },
  set(t, key, value, receiver) {
    log.push(`set ${String(key)}=${value}`);
    if (typeof value !== "number") throw new TypeError(`${String(key)} must be a number`);
    return Reflect.set(t, key, value, receiver);
  },
  has(t, key) { log.push(`has ${String(key)}`); return !String(key).startsWith("_") && key in t; },
  deleteProperty(t, key) { log.push(`delete ${String(key)}`); return Reflect.deleteProperty(t, key); },
  ownKeys(t) { log.push("ownKeys"); return Reflect.ownKeys(t).filter(k => k !== "b"); },
  getOwnPropertyDescriptor(t, key) { log.push(`gopd ${String(key)}`); return Reflect.getOwnPropertyDescriptor(t, key); },
};
const p = new Proxy(target, handler);
print("get:", p.a, p.zzz);
p.c = 3;
try { p.d = "x"; } catch (e) { print("set trap threw:", e.message); }
print("has:", "a" in p, "_a" in p);
print("keys:", JSON.stringify(Object.keys(p)));
print("delete:", delete p.a, JSON.stringify(target));
print("trap log:", log.join(" | "));

// Invariants are enforced.
const frozen = Object.freeze({ fixed: 1 });
const liar = new Proxy(frozen, { get: () => 2 });
try { liar.fixed; } catch (e) { print("invariant violation:", e.constructor.name); }

// apply and construct traps.
function sum(a, b) { return a + b; }
const tracedSum = new Proxy(sum, {
  apply(t, thisArg, args) { return `sum(${args.join(",")})=${Reflect.apply(t, thisArg, args)}`; },
});
print("apply trap:", tracedSum(2, 3), tracedSum.call(null, 4, 5), typeof tracedSum);
class Point { constructor(x, y) { this.x = x; this.y = y; } }
const CountingPoint = new Proxy(Point, {
  construct(t, args, newTarget) {
    CountingPoint.count = (CountingPoint.count || 0) + 1;
    return Reflect.construct(t, args.map(Number), newTarget);
  },
});
const pt = new CountingPoint("1", "2");
print("construct trap:", JSON.stringify(pt), pt instanceof Point, CountingPoint.count);

// Revocable proxies.
const { proxy, revoke } = Proxy.revocable({ v: 42 }, {});
print("before revoke:", proxy.v);
revoke();
try { proxy.v; } catch (e) { print("after revoke:", e.constructor.name); }

// A validation / default-value proxy pattern.
const withDefaults = (obj, dflt) => new Proxy(obj, { get: (t, k) => (k in t ? t[k] : dflt) });
const counts = withDefaults({}, 0);
for (const w of "the cat and the hat and the bat".split(" ")) counts[w]++;
print("default proxy:", JSON.stringify(counts));

// Negative array indices via proxy.
const negArray = (arr) => new Proxy(arr, {
  get(t, k, r) {
    if (typeof k === "string" && /^-\d+$/.test(k)) k = String(t.length + Number(k));
    return Reflect.get(t, k, r);
  },
});
const na = negArray(["a", "b", "c"]);
print("negative index:", na[-1], na[-3], na[0], na.length, Array.isArray(na));

// Reflect API.
const obj = { x: 1, [Symbol("s")]: 2 };
Object.defineProperty(obj, "hidden", { value: 3, enumerable: false });
print("Reflect.ownKeys:", Reflect.ownKeys(obj).map(String).join(","));
print("Reflect.has/get/set:", Reflect.has(obj, "x"), Reflect.get(obj, "hidden"), Reflect.set(obj, "hidden", 9), obj.hidden);
print("Reflect.defineProperty:", Reflect.defineProperty(obj, "y", { value: 5 }), Reflect.defineProperty(Object.freeze({}), "z", { value: 1 }));
print("Reflect.getPrototypeOf:", Reflect.getPrototypeOf([]) === Array.prototype, Reflect.setPrototypeOf(obj, null), Reflect.getPrototypeOf(obj));
print("Reflect.isExtensible:", Reflect.isExtensible(obj), Reflect.preventExtensions(obj), Reflect.isExtensible(obj));
print("Reflect.apply:", Reflect.apply(Math.max, null, [1, 5, 2]), Reflect.apply(String.prototype.slice, "hello", [1, 3]));
class Base { constructor() { this.nt = new.target.name; } }
class Other {}
print("Reflect.construct newTarget:", Reflect.construct(Base, [], Other).nt, Reflect.construct(Base, [], Other) instanceof Other);
const getterObj = { get who() { return this.name; }, name: "getterObj" };
print("Reflect.get receiver:", Reflect.get(getterObj, "who", { name: "receiver" }));
try { Reflect.get(1, "x"); } catch (e) { print("Reflect on primitive:", e.constructor.name); }

// Observable property access order through a proxy (e.g. JSON.stringify).
const order = [];
const observed = new Proxy({ b: 1, a: { c: 2 } }, {
  get(t, k, r) { order.push(String(k)); return Reflect.get(t, k, r); },
  ownKeys(t) { order.push("ownKeys"); return Reflect.ownKeys(t); },
});
print("stringify through proxy:", JSON.stringify(observed), order.join(","));
