// Map, Set, WeakMap, WeakSet, WeakRef: semantics that do not depend on GC timing.
const m = new Map();
const objKey = { id: 1 };
m.set("b", 2).set("a", 1).set(3, "three").set(objKey, "object").set(NaN, "nan");
m.set("b", 22); // updating keeps the original insertion position
print("map order:", JSON.stringify([...m.keys()].map(String)), m.size);
print("map get:", m.get("b"), m.get(NaN), m.get(objKey), m.get({ id: 1 }), m.has(3), m.has("3"));
m.set(-0, "zero");
print("-0 normalised:", m.has(0), Object.is([...m.keys()].at(-1), 0));
m.delete("a");
m.set("a", "re-added");
print("delete + re-add moves to end:", [...m.keys()].map(String).join(","));
print("entries:", JSON.stringify([...m.entries()].slice(0, 2)), JSON.stringify(Object.fromEntries([["x", 1], ["y", 2]])));

// Iteration sees entries added during iteration, not deleted ones.
const live = new Map([[1, "a"], [2, "b"], [3, "c"]]);
const visited = [];
for (const [k] of live) {
  visited.push(k);
  if (k === 1) { live.delete(2); live.set(4, "d"); }
}
print("live iteration:", visited.join(","));

// forEach argument order (value, key).
const fe = [];
new Map([["k", "v"]]).forEach((value, key, map) => fe.push(`${key}=${value} ${map.size}`));
print("forEach:", fe.join());

// Map.groupBy / Object.groupBy.
const people = [{ n: "ann", age: 31 }, { n: "bob", age: 17 }, { n: "cy", age: 45 }, { n: "dee", age: 12 }];
const byAdult = Map.groupBy(people, p => p.age >= 18);
print("Map.groupBy:", JSON.stringify([...byAdult].map(([k, v]) => [k, v.map(p => p.n)])));

// Set semantics.
const s = new Set([3, 1, 3, "3", NaN, NaN, 0, -0]);
print("set:", JSON.stringify([...s].map(String)), s.size);
const a = new Set([1, 2, 3, 4]);
const b = new Set([3, 4, 5]);
print("union:", [...a.union(b)].join(","), "intersection:", [...a.intersection(b)].join(","), "difference:", [...a.difference(b)].join(","), "symmetric:", [...a.symmetricDifference(b)].join(","));
print("subset:", new Set([1, 2]).isSubsetOf(a), a.isSupersetOf(new Set([4])), a.isDisjointFrom(new Set([9])), a.isDisjointFrom(b));
print("set-like argument:", [...a.intersection(new Map([[2, "x"], [9, "y"]]))].join(","));
print("dedupe preserving order:", [...new Set("mississippi")].join(""));

// WeakMap / WeakSet accept only objects (and non-registered symbols).
const wm = new WeakMap();
const k1 = {};
const k2 = function () {};
wm.set(k1, "one").set(k2, "fn");
print("WeakMap:", wm.get(k1), wm.has(k2), wm.has({}), wm.delete(k1), wm.has(k1));
for (const bad of [1, "str", null, Symbol.for("registered")]) {
  try { wm.set(bad, 1); print("accepted", String(bad)); } catch (e) { print("WeakMap key", typeof bad, "->", e.constructor.name); }
}
const symKey = Symbol("unregistered");
try { wm.set(symKey, "sym ok"); print("symbol key:", wm.get(symKey)); } catch (e) { print("symbol key:", e.constructor.name); }
const ws = new WeakSet([k1]);
print("WeakSet:", ws.has(k1), ws.has(k2), "no size:", ws.size, typeof ws[Symbol.iterator]);

// Private data via WeakMap.
const priv = new WeakMap();
class Counter {
  constructor() { priv.set(this, { count: 0 }); }
  inc() { return ++priv.get(this).count; }
}
const c = new Counter();
c.inc(); c.inc();
print("WeakMap private:", c.inc(), Object.keys(c).length);

// WeakRef on a live object and FinalizationRegistry creation (no GC timing assumptions).
const target = { payload: "alive" };
const ref = new WeakRef(target);
print("WeakRef:", ref.deref() === target, ref.deref().payload, Object.prototype.toString.call(ref));
const registry = new FinalizationRegistry(() => {});
registry.register(target, "token");
print("FinalizationRegistry:", typeof registry.unregister, registry.unregister(target));
try { new WeakRef(42); } catch (e) { print("WeakRef of primitive:", e.constructor.name); }

// Using Map as an LRU cache.
class LRU {
  constructor(cap) { this.cap = cap; this.map = new Map(); }
  get(k) {
    if (!this.map.has(k)) return undefined;
    const v = this.map.get(k);
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }
  set(k, v) {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value);
  }
}
const lru = new LRU(2);
lru.set("a", 1); lru.set("b", 2); lru.get("a"); lru.set("c", 3);
print("LRU keys:", [...lru.map.keys()].join(","));
