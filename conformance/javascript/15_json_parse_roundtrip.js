// JSON.parse: reviver, errors, edge cases, and stringify/parse round trips.
const text = '{"name":"Zoë","when":"2024-03-01T10:20:30.000Z","nums":[1,2.5,-3e2],"nested":{"ok":true,"nothing":null},"emoji":"\\ud83d\\ude00","esc":"tab\\tnl\\n\\u00e9"}';
const obj = JSON.parse(text);
print(obj.name, obj.nums.join("|"), obj.nested.ok, obj.nested.nothing, obj.emoji, obj.emoji.length, JSON.stringify(obj.esc));

// Reviver: bottom-up, `this` is the holder, returning undefined deletes.
const order = [];
const revived = JSON.parse(text, function (key, value) {
  order.push(key === "" ? "(root)" : key);
  if (key === "when") return new Date(value);
  if (key === "nothing") return undefined;
  if (typeof value === "number") return value * 2;
  return value;
});
print("revived:", revived.when instanceof Date, revived.when.getUTCHours(), revived.nums.join("|"), "nothing" in revived.nested);
print("reviver order:", order.join(","));

// Whitespace and primitives at the top level.
print(JSON.parse(" \t\n\r 42 "), JSON.parse('"str"'), JSON.parse("null"), JSON.parse("true"), JSON.parse("-0") === 0, Object.is(JSON.parse("-0"), -0));
print(JSON.parse("1E3"), JSON.parse("1e-2"), JSON.parse("123456789012345678901234567890"));

// Duplicate keys: the last one wins. __proto__ is an ordinary key.
const dup = JSON.parse('{"a":1,"a":2,"__proto__":{"polluted":true}}');
print("duplicates:", dup.a, Object.getPrototypeOf(dup) === Object.prototype, ({}).polluted, Object.keys(dup).join());

// Invalid JSON throws SyntaxError.
const invalid = ["{'single':1}", "[1,2,]", "{a:1}", "01", "NaN", "undefined", "\"unterminated", "[1] x", "", "\"tab\tinside\"", "+1", ".5", "{\"a\" 1}"];
print("invalid:", invalid.map(s => {
  try { JSON.parse(s); return "accepted"; } catch (e) { return e.name; }
}).join(","));

// Deep round trip preserves structure.
const original = {
  str: "Ünïcödé — “quotes” 😀 中文",
  int: 9007199254740991,
  float: 0.1,
  neg: -1e-10,
  arr: [[], [[]], [{}], [null, false]],
  obj: { "": "empty key", " ": "space", "\n": "newline key" },
};
const json = JSON.stringify(original);
const back = JSON.parse(json);
print("round trip equal:", JSON.stringify(back) === json);
print("round trip values:", back.str === original.str, back.int === original.int, back.float === 0.1, back.obj["\n"]);
const pretty = JSON.stringify(original, null, "\t");
print("pretty round trip:", JSON.stringify(JSON.parse(pretty)) === json, pretty.split("\n").length);

// Parsing numbers that are not exactly representable.
print(JSON.parse("0.1") + JSON.parse("0.2"), JSON.parse("1.7976931348623157e308"), JSON.parse("1e400"), JSON.parse("5e-324"), JSON.parse("1e-400"));

// Reviver receives the holder as `this` for arrays too; rebuild with Map.
const entries = JSON.parse('{"m":[["a",1],["b",2]]}', (k, v) => (k === "m" ? new Map(v) : v));
print("reviver to Map:", entries.m instanceof Map, entries.m.get("b"));

// Unicode escapes for astral characters and raw UTF-8 input.
print(JSON.parse('"\\u00e9\\u4e2d"'), JSON.parse('"é中"') === "é中", JSON.parse('"\\/"'));
