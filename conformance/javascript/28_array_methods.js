// Array methods, including ES2019-ES2024 additions.
const nested = [1, [2, [3, [4, [5]]]], 6];
print("flat:", JSON.stringify(nested.flat()), JSON.stringify(nested.flat(2)), JSON.stringify(nested.flat(Infinity)), JSON.stringify([1, , 3].flat()));
print("flatMap:", JSON.stringify(["a b", "c"].flatMap(s => s.split(" "))), JSON.stringify([1, 2].flatMap(x => [[x, x * 2]])), JSON.stringify([1, 2, 3].flatMap(x => (x % 2 ? [] : x))));

const nums = [5, 12, 8, 130, 44, 3];
print("find family:", nums.find(x => x > 10), nums.findIndex(x => x > 10), nums.findLast(x => x > 10), nums.findLastIndex(x => x > 10), nums.findLast(x => x > 1000), nums.findLastIndex(x => x > 1000));

// Non-mutating copies (ES2023).
const orig = [3, 1, 2];
const sorted = orig.toSorted();
const reversed = orig.toReversed();
const replaced = orig.with(1, 99);
const spliced = orig.toSpliced(1, 1, "a", "b");
print("copies:", JSON.stringify({ orig, sorted, reversed, replaced, spliced }));
print("with negative:", JSON.stringify(orig.with(-1, 0)));
try { orig.with(3, 0); } catch (e) { print("with out of range:", e.constructor.name); }
print("toSorted holes -> undefined:", JSON.stringify([3, , 1].toSorted()), [3, , 1].toSorted().length);

// Object.groupBy (ES2024).
const inventory = [
  { name: "asparagus", type: "vegetables", quantity: 5 },
  { name: "bananas", type: "fruit", quantity: 0 },
  { name: "goat", type: "meat", quantity: 23 },
  { name: "cherries", type: "fruit", quantity: 5 },
  { name: "fish", type: "meat", quantity: 22 },
];
const byType = Object.groupBy(inventory, ({ type }) => type);
print("Object.groupBy:", JSON.stringify(Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, v.map(i => i.name)]))));
print("groupBy null prototype:", Object.getPrototypeOf(byType), "toString" in byType);
const byStock = Object.groupBy(inventory, ({ quantity }) => (quantity > 5 ? "ok" : "restock"));
print("groupBy computed:", Object.keys(byStock).join(","), byStock.restock.length);

// Classic methods.
print("map/filter/reduce:", [1, 2, 3, 4].map(x => x * x).filter(x => x % 2 === 0).reduce((a, b) => a + b, 0));
print("reduceRight:", ["a", "b", "c"].reduceRight((acc, x) => acc + x));
try { [].reduce((a, b) => a + b); } catch (e) { print("reduce empty:", e.constructor.name); }
print("some/every:", [1, 2, 3].some(x => x > 2), [1, 2, 3].every(x => x > 0), [].every(() => false), [].some(() => true));
print("includes/indexOf:", [1, NaN].includes(NaN), [1, NaN].indexOf(NaN), [1, 2, 3].includes(2, 2), ["a"].indexOf("a", -1));
print("at:", [1, 2, 3].at(-1), [1, 2, 3].at(5), [1, 2, 3].at(-4));
print("splice:", (() => { const a = [1, 2, 3, 4, 5]; const removed = a.splice(1, 2, "x"); return JSON.stringify([a, removed]); })());
print("slice/concat:", JSON.stringify([1, 2, 3].slice(-2)), JSON.stringify([1].concat(2, [3, [4]])));
print("fill/copyWithin:", JSON.stringify(new Array(4).fill(0)), JSON.stringify([1, 2, 3, 4, 5].copyWithin(0, 3)), JSON.stringify(Array(3).fill().map((_, i) => i)));
print("join with holes/null:", [1, null, undefined, , 2].join("-"), [[1, 2], [3]].join(";"));
print("keys/values/entries:", JSON.stringify([..."ab".split("").keys()]), JSON.stringify([...["x"].entries()]), JSON.stringify(Object.keys([5, , 7])));
print("Array.from/of:", JSON.stringify(Array.from("héllo")), JSON.stringify(Array.of(7)), JSON.stringify(Array(7).length), JSON.stringify(Array.from({ length: 3 })));
print("isArray:", Array.isArray([]), Array.isArray({ length: 0 }), Array.isArray(new Proxy([], {})));
print("length tricks:", (() => { const a = [1, 2, 3]; a.length = 1; a[4] = 5; return JSON.stringify(a) + " " + a.length; })());
print("reverse/shift/unshift:", (() => { const a = [1, 2, 3]; a.reverse(); a.shift(); a.unshift(0, -1); return JSON.stringify(a); })());
print("lastIndexOf/fromIndex:", [1, 2, 1, 2].lastIndexOf(2), [1, 2, 1, 2].lastIndexOf(2, 2));
print("array-likes:", Array.prototype.map.call("abc", c => c.toUpperCase()).join(""), Array.prototype.filter.call({ length: 3, 0: "a", 1: "b", 2: "c" }, (_, i) => i !== 1).join(""));

// Array destructuring + chunking + zip + unique + range utilities.
const chunk = (arr, n) => Array.from({ length: Math.ceil(arr.length / n) }, (_, i) => arr.slice(i * n, i * n + n));
const zip = (...arrs) => arrs[0].map((_, i) => arrs.map(a => a[i]));
const range = (start, end, step = 1) => Array.from({ length: Math.max(0, Math.ceil((end - start) / step)) }, (_, i) => start + i * step);
print("chunk:", JSON.stringify(chunk([1, 2, 3, 4, 5], 2)), "zip:", JSON.stringify(zip([1, 2], ["a", "b"], [true, false])), "range:", JSON.stringify(range(10, 0, -3)));
const matrix = [[1, 2, 3], [4, 5, 6]];
print("transpose:", JSON.stringify(matrix[0].map((_, c) => matrix.map(r => r[c]))));

// Iterator helpers (ES2025) on array iterators.
const it = [1, 2, 3, 4, 5, 6].values().filter(x => x % 2).map(x => x * 10);
print("iterator helpers:", JSON.stringify(it.toArray()), JSON.stringify([10, 20, 30].values().drop(1).take(1).toArray()), [1, 2, 3].values().reduce((a, b) => a + b), [1, 2].values().some(x => x > 1));
print("Iterator.from:", JSON.stringify(Iterator.from({ next() { return { done: this.n > 2, value: this.n++ }; }, n: 0 }).toArray()));
function* nat() { let i = 0; while (true) yield i++; }
print("lazy infinite:", JSON.stringify(nat().map(x => x * x).filter(x => x % 3 === 1).take(4).toArray()), JSON.stringify(nat().flatMap(x => [x, -x]).take(5).toArray()));
