// JSON.stringify: replacers, indentation, toJSON, special values, escaping.
const data = {
  name: "Zoë",
  age: 30,
  nested: { list: [1, "two", null, true], empty: {}, emptyArr: [] },
  skipFn() {},
  skipUndef: undefined,
  [Symbol("sym")]: "skipped",
};
print(JSON.stringify(data));
print(JSON.stringify(data, null, 2));
print(JSON.stringify([1, [2, [3]]], null, "--"));
print(JSON.stringify({ a: 1 }, null, 20) === JSON.stringify({ a: 1 }, null, 10), JSON.stringify({ a: [] }, null, "0123456789ABC"));

// Array replacer selects and orders keys (applies at every level).
print(JSON.stringify({ c: 3, a: 1, b: { a: "inner", z: 0 } }, ["a", "b"]));

// Function replacer: called with key "" for the root first, `this` is the holder.
const calls = [];
const replaced = JSON.stringify({ keep: 1, drop: 2, double: 3, arr: [1, 2] }, function (key, value) {
  calls.push(key === "" ? "(root)" : key);
  if (key === "drop") return undefined;
  if (key === "double") return value * 2;
  if (typeof value === "number" && Array.isArray(this)) return value * 100;
  return value;
});
print(replaced, calls.join(","));

// Special values.
print(JSON.stringify([undefined, function () {}, Symbol("x"), NaN, Infinity, -0, null]));
print(JSON.stringify(undefined), JSON.stringify(() => 1), JSON.stringify(null), JSON.stringify("str"), JSON.stringify(-0));
print(JSON.stringify({ date: new Date(Date.UTC(2024, 1, 29, 12, 0, 0)) }));
print(JSON.stringify({ toJSON(key) { return { replacedBy: "toJSON", key }; } }));
print(JSON.stringify({ outer: { toJSON(key) { return `key was ${key}`; } } }));
print(JSON.stringify(new Map([[1, 2]])), JSON.stringify(new Set([1])), JSON.stringify(Object(1)), JSON.stringify(Object("s")), JSON.stringify(Object(false)));
print(JSON.stringify([1e21, 1e-7, 0.1 + 0.2, 2 ** 53, -1.5e300]));

// Escaping: control characters, quotes, backslash; non-ASCII passes through; lone surrogates are escaped.
print(JSON.stringify("quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 del \u007f"));
print(JSON.stringify("non-ASCII: é ñ 中文 😀 \u2028 \u2029"));
print(JSON.stringify("lone: \ud800 \udfff pair: \ud83d\ude00"));
print(JSON.stringify({ "key with \"quotes\"": 1, "ключ": "значение" }));

// BigInt cannot be serialized unless toJSON is provided.
try { JSON.stringify({ big: 1n }); } catch (e) { print("BigInt:", e.constructor.name); }
BigInt.prototype.toJSON = function () { return this.toString() + "n"; };
print("BigInt with toJSON:", JSON.stringify({ big: 12345678901234567890n }));
delete BigInt.prototype.toJSON;

// Cycles throw TypeError.
const cyc = { name: "cyc" };
cyc.self = cyc;
try { JSON.stringify(cyc); } catch (e) { print("cycle:", e.constructor.name); }

// Property order: integer-like keys first ascending, then insertion order.
print(JSON.stringify({ b: 1, 2: "two", a: 2, 1: "one", "-1": "neg", "01": "zero-one" }));

// Sparse arrays and array-likes.
print(JSON.stringify([, 1, , 2]), JSON.stringify({ length: 2, 0: "a" }));
