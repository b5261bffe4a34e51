// Spread and rest: arrays, objects, calls, parameters, arguments.
const a = [1, 2];
const b = [...a, 3, ...[4, 5], ..."ab"];
print("array spread:", JSON.stringify(b));

// Spreading copies shallowly.
const nested = [{ v: 1 }];
const copy = [...nested];
copy[0].v = 2;
print("shallow:", nested[0].v, copy !== nested);

// Object spread: later keys win, getters are invoked, only own enumerable props.
const proto = { inherited: true };
const src = Object.create(proto, {
  visible: { value: "v", enumerable: true },
  hidden: { value: "h", enumerable: false },
});
let getterCalls = 0;
const withGetter = { get g() { getterCalls++; return "got"; } };
const merged = { a: 1, b: 2, ...{ b: 3, c: 4 }, ...src, ...withGetter, ...null, ...undefined, ...42 };
print("object spread:", JSON.stringify(merged), "getter calls:", getterCalls);
print("spread result has data prop:", JSON.stringify(Object.getOwnPropertyDescriptor(merged, "g")));

// Rest parameters are real arrays; arguments is array-like.
function restFn(first, ...others) {
  return `${first} | ${others.length} | ${Array.isArray(others)}`;
}
function argsFn() {
  return `${arguments.length} ${Array.isArray(arguments)} ${Array.prototype.slice.call(arguments, 1).join("-")}`;
}
print("rest:", restFn(1, 2, 3), "/", restFn());
print("arguments:", argsFn("a", "b", "c"));
print("function length:", restFn.length, ((x, y = 2, z) => 0).length);

// Spread in calls.
print("Math.max spread:", Math.max(...[3, 8, 1], ...new Set([12, 2])));
function three(x, y, z) { return [x, y, z].join(","); }
print("call spread:", three(..."xyz"), three(...[1], ...[2, 3, 4]));

// Spread with new.
const parts = [2020, 0, 15];
print("new spread:", new Date(Date.UTC(...parts)).toISOString());

// Spreading an iterator.
const m = new Map([["k1", 1], ["k2", 2]]);
print("map keys:", JSON.stringify([...m.keys()]), "entries:", JSON.stringify([...m]));

// Object rest excludes listed keys and copies symbols too.
const sym = Symbol("s");
const { a: dropped, ...kept } = { a: 1, b: 2, [sym]: 3 };
print("object rest:", JSON.stringify(kept), kept[sym], dropped);

// Spread of a non-iterable throws TypeError.
try { print([...{ length: 2 }]); } catch (e) { print("spread non-iterable:", e.constructor.name); }

// Array holes become undefined with spread.
const holey = [1, , 3];
print("holes:", 1 in holey, 1 in [...holey], JSON.stringify([...holey]));
