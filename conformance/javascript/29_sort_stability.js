// Array.prototype.sort: stability (required since ES2019), default ordering, comparators.
const people = [
  { name: "Ann", age: 30 }, { name: "Bob", age: 25 }, { name: "Cid", age: 30 },
  { name: "Dee", age: 25 }, { name: "Eve", age: 35 }, { name: "Fay", age: 30 },
  { name: "Gus", age: 25 }, { name: "Hal", age: 35 }, { name: "Ivy", age: 30 },
];
const byAge = [...people].sort((a, b) => a.age - b.age);
print("stable by age:", byAge.map(p => `${p.name}${p.age}`).join(" "));
const byAgeDesc = [...people].sort((a, b) => b.age - a.age);
print("stable desc:", byAgeDesc.map(p => p.name).join(" "));

// Stability with many equal keys (large enough to exercise merge paths).
const many = Array.from({ length: 500 }, (_, i) => ({ key: (i * 7919) % 10, seq: i }));
const sortedMany = many.slice().sort((a, b) => a.key - b.key);
let stable = true;
for (let i = 1; i < sortedMany.length; i++) {
  const [p, q] = [sortedMany[i - 1], sortedMany[i]];
  if (p.key > q.key || (p.key === q.key && p.seq > q.seq)) stable = false;
}
print("500 items stable:", stable, "first keys:", sortedMany.slice(0, 3).map(x => `${x.key}/${x.seq}`).join(" "));

// Multi-key sort by chaining stable sorts (secondary first).
const multi = [...people].sort((a, b) => (a.name < b.name ? 1 : -1)).sort((a, b) => a.age - b.age);
print("multi-pass:", multi.map(p => p.name).join(" "));
// Multi-key comparator.
const cmp = (...fns) => (a, b) => { for (const f of fns) { const r = f(a, b); if (r) return r; } return 0; };
const byAgeThenName = [...people].sort(cmp((a, b) => b.age - a.age, (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
print("comparator chain:", byAgeThenName.map(p => p.name).join(" "));

// Default sort converts to strings and compares UTF-16 code units.
print("default numbers:", [10, 9, 1, 100, 25, -1, -10].sort().join(","));
print("numeric:", [10, 9, 1, 100, 25, -1, -10].sort((a, b) => a - b).join(","));
print("mixed case:", ["b", "B", "a", "A", "_", "1", "é", "e"].sort().join(""));
print("undefined last, holes removed to end:", JSON.stringify([3, undefined, 1, , 2].sort()), [3, undefined, 1, , 2].sort().length, 3 in [3, undefined, 1, , 2].sort());
print("comparator not called with undefined:", JSON.stringify([undefined, 2, 1].sort((a, b) => { if (a === undefined || b === undefined) throw new Error("called"); return a - b; })));
print("sort returns same array:", (() => { const a = [2, 1]; return a.sort() === a; })());
print("booleans/null:", JSON.stringify([true, false, null, "null", "true"].sort()));

// Sorting strings by length then alphabetically; localeCompare intentionally avoided.
const words = "the quick brown fox jumps over the lazy dog".split(" ");
print("by length:", words.toSorted((a, b) => a.length - b.length).join(" "));
print("unique sorted:", [...new Set(words)].sort().join(" "));

// Sorting objects by a key with NaN-safe comparator and sorting numbers as strings with padding.
const vals = [3, NaN, 1, 2];
print("NaN to end:", vals.toSorted((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b)).join(","));
const versions = ["1.10.0", "1.2.0", "1.2.10", "1.2.9", "0.9"];
const vcmp = (a, b) => {
  const [pa, pb] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
};
print("semver-ish:", versions.toSorted(vcmp).join(" "), "default:", versions.toSorted().join(" "));
// Typed array sort is numeric and handles -0 / NaN.
print("Float64Array sort:", Array.from(new Float64Array([3, NaN, -0, 0, -1]).sort(), x => Object.is(x, -0) ? "-0" : String(x)).join(","));
// Sorting is in place on array-likes via call.
const arrayLike = { length: 3, 0: "c", 1: "a", 2: "b" };
Array.prototype.sort.call(arrayLike);
print("array-like sort:", JSON.stringify(arrayLike));
