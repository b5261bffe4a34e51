// Property enumeration order: integer keys ascending, then strings in insertion order, then symbols.
const sym1 = Symbol("first");
const sym2 = Symbol("second");
const o = {};
o.b = 1;
o[sym2] = "s2";
o[10] = "ten";
o.a = 2;
o["2"] = "two";
o[sym1] = "s1";
o["-1"] = "negative";
o["1.5"] = "fraction";
o["01"] = "leading zero";
o[4294967294] = "max array index";
o[4294967295] = "beyond array index";
o[0] = "zero";
o[" 3"] = "space";

print("Object.keys:", JSON.stringify(Object.keys(o)));
print("Reflect.ownKeys:", Reflect.ownKeys(o).map(String).join(","));
print("entries:", JSON.stringify(Object.entries(o).slice(0, 4)));
print("values:", JSON.stringify(Object.values(o).slice(-3)));
print("JSON.stringify:", JSON.stringify(o));
const forIn = [];
for (const k in o) forIn.push(k);
print("for-in:", forIn.join(","));

// Object.fromEntries keeps the rule; later duplicates overwrite in place.
const fe = Object.fromEntries([["z", 1], ["5", 2], ["y", 3], ["1", 4], ["z", 5]]);
print("fromEntries:", JSON.stringify(fe));
print("fromEntries from Map:", JSON.stringify(Object.fromEntries(new Map([["k", "v"], [3, "three"]]))));
print("fromEntries iterable of iterables:", JSON.stringify(Object.fromEntries([["a", 1]].values())));

// Deleting and re-adding moves a string key to the end; integer keys stay sorted.
const r = { x: 1, y: 2, z: 3, 7: "seven", 3: "three" };
delete r.x;
r.x = "again";
delete r[3];
r[3] = "three again";
print("delete + re-add:", JSON.stringify(r));

// Object.assign copies in source key order; later sources overwrite.
print("assign order:", JSON.stringify(Object.assign({ c: 0 }, { b: 1, 1: "x" }, { a: 2, c: 3, 0: "y" })));

// Spread and rest preserve order.
const { b, ...rest } = { c: 1, b: 2, 9: "nine", a: 3 };
print("rest order:", JSON.stringify(rest), b);

// Arrays: indices ascending, then named properties.
const arr = ["p", "q"];
arr.extra = "e";
arr[5] = "r";
print("array keys:", JSON.stringify(Object.keys(arr)), JSON.stringify(Reflect.ownKeys(arr)));

// Class instances: fields in declaration order, then constructor assignments.
class K {
  z = 1;
  a = 2;
  constructor() { this.m = 3; this[2] = "idx"; }
}
print("class instance:", JSON.stringify(Object.keys(new K())));

// Strings as objects: indices then length.
print("String object keys:", JSON.stringify(Object.getOwnPropertyNames("ab")));
// Function own property names order.
print("function props:", Object.getOwnPropertyNames(function named(a, b) {}).filter(k => ["length", "name", "prototype"].includes(k)).join(","));

// Object.entries on arrays and strings.
print("entries on array/string:", JSON.stringify(Object.entries(["x", "y"])), JSON.stringify(Object.entries("hi")));
// Sorting entries by value for a deterministic report.
const wordCounts = {};
for (const w of "b a c b a b".split(" ")) wordCounts[w] = (wordCounts[w] ?? 0) + 1;
print("counts by frequency:", Object.entries(wordCounts).sort(([, x], [, y]) => y - x).map(([k, v]) => `${k}:${v}`).join(" "));
