// Type coercion, equality algorithms, typeof and truthiness.
const values = [0, -0, "", "0", " ", null, undefined, NaN, [], [0], {}, false, true, "1", 1];
const label = (v) => (Object.is(v, -0) ? "-0" : typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v}]` : v && typeof v === "object" ? "{}" : String(v));

print("truthy:", values.filter(Boolean).map(label).join(" "));
print("falsy:", values.filter(v => !v).map(label).join(" "));

// Loose equality table for a few interesting pairs.
const pairs = [
  [null, undefined], [null, 0], [undefined, 0], ["", 0], ["0", 0], ["0", false], [[], false], [[], ""],
  [[0], false], [[1], true], [[1, 2], "1,2"], [{}, "[object Object]"], [NaN, NaN], ["1e3", 1000], ["0x10", 16],
  [" 1 ", 1], [null, false], [1n, 1], ["1", 1n], [Symbol.iterator, Symbol.iterator],
];
print("==:", pairs.map(([a, b]) => `${label(a)}==${label(b)}:${a == b}`).join(" "));
print("===:", pairs.map(([a, b]) => (a === b ? 1 : 0)).join(""));
print("Object.is:", Object.is(0, -0), Object.is(NaN, 0 / 0), Object.is("a", "a"), Object.is({}, {}));
print("SameValueZero (includes):", [-0].includes(0), [NaN].includes(NaN), [0].indexOf(-0));

// typeof.
print("typeof:", [1, "s", true, undefined, null, {}, [], () => {}, class {}, Symbol(), 1n, new Number(1), /re/, new Date(0)].map(v => typeof v).join(","));

// Addition and string concatenation.
print("+:", 1 + "2", 1 + 2 + "3", "1" + 2 + 3, 1 + true, "x" + null, 1 + null, 1 + undefined, [] + [], [] + {}, [1] + [2], true + true);
print("arithmetic coercion:", "6" / "2", "3" * "4", "10" - 3, "a" * 1, null * 5, undefined * 5, true - false, -"", +"-0" === 0);
print("relational:", "10" < "9", 10 < "9", "a" < "b", null >= 0, null > 0, null == 0, undefined >= 0, NaN <= NaN, [2] > 1, "abc" < "abd");
print("unary and bitwise:", !"", !!"false", ~"5", "3" | 0, "0b11" | 0, "z" | 0, +[], +[[]], +[[1]], +"1,2");

// Object-to-primitive order: valueOf then toString for numbers, toString first for strings.
const calls = [];
const tricky = {
  valueOf() { calls.push("valueOf"); return 7; },
  toString() { calls.push("toString"); return "seven"; },
};
const r1 = tricky * 2;
const r2 = `${tricky}`;
const r3 = tricky + "";
const r4 = String(tricky);
const r5 = [tricky].join();
print("toPrimitive results:", r1, r2, r3, r4, r5, "calls:", calls.join(","));
const noPrim = { valueOf: () => ({}), toString: () => ({}) };
try { noPrim + 1; } catch (e) { print("no primitive:", e.constructor.name); }

// Wrapper objects.
const wrapped = new Boolean(false);
print("wrapper truthiness:", !!wrapped, wrapped == false, wrapped === false, typeof wrapped.valueOf());
print("string wrapper:", new String("ab").length, new String("ab") == "ab", new String("ab") === "ab", typeof Object("s"));

// Number() vs parseInt() vs unary plus on edge strings.
for (const s of ["12abc", "  42  ", "", "0x1A", "1e2", "-0", "Infinity", "1_0"]) {
  print(`  ${JSON.stringify(s)}: Number=${Number(s)} parseInt=${parseInt(s)} parseFloat=${parseFloat(s)}`);
}

// Array/Object key coercion.
const obj = {};
obj[1] = "num"; obj["1"] = "str"; obj[true] = "bool"; obj[null] = "null"; obj[{}] = "object";
print("key coercion:", JSON.stringify(obj));
const arr = [];
arr["2"] = "two"; arr[1.0] = "one"; arr["01"] = "not index";
print("array index coercion:", arr.length, JSON.stringify(Object.keys(arr)));

// Switch uses strict equality; Array.includes uses SameValueZero; Map keys use SameValueZero.
const sw = (x) => { switch (x) { case 1: return "number one"; case "1": return "string one"; default: return "other"; } };
print("switch strict:", sw(1), sw("1"), sw(true));
print("Map keys:", new Map([[1, "a"], ["1", "b"]]).size, new Map([[NaN, 1]]).get(NaN));
