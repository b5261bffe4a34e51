// Destructuring: arrays, objects, defaults, nesting, renaming, rest, parameters.
const [a, , b = 10, ...rest] = [1, 2, undefined, 4, 5];
print("array:", a, b, JSON.stringify(rest));

const { x, y: renamed, z = "default", ...others } = { x: 1, y: 2, w: 3, v: 4 };
print("object:", x, renamed, z, JSON.stringify(others));

// Defaults apply only to undefined, not null.
const { n1 = "d1", n2 = "d2" } = { n1: null, n2: undefined };
print("null vs undefined:", n1, n2);

// Defaults are evaluated lazily and can refer to earlier bindings.
let evaluated = 0;
const sideEffect = () => { evaluated++; return "computed"; };
const [p = sideEffect(), q = p + "!"] = ["given"];
print("lazy defaults:", p, q, "evaluated:", evaluated);

// Nested patterns.
const config = { server: { host: "example.org", ports: [80, 443] }, tags: ["a", "b"] };
const { server: { host, ports: [http, https] }, tags: [firstTag] } = config;
print("nested:", host, http, https, firstTag);

// Swapping and computed keys.
let s1 = "left", s2 = "right";
[s1, s2] = [s2, s1];
print("swap:", s1, s2);
const key = "dyn";
const { [key]: dynValue, [`${key}2`]: dyn2 = "none" } = { dyn: 99 };
print("computed:", dynValue, dyn2);

// Parameters with destructuring and defaults.
function draw({ shape = "circle", size: { w = 1, h = w } = {}, ...opts } = {}) {
  return `${shape} ${w}x${h} ${JSON.stringify(opts)}`;
}
print(draw());
print(draw({ shape: "rect", size: { w: 3 }, color: "red" }));
print(draw({ size: { w: 2, h: 5 } }));

// Destructuring iterables: strings, Sets, Maps, generators.
const [c1, c2, ...cs] = "héllo";
print("string:", c1, c2, cs.join(""));
const [firstOfSet] = new Set(["only"]);
print("set:", firstOfSet);
for (const [k, v] of new Map([["one", 1], ["two", 2]])) print("map entry:", k, v);
function* naturals() { let i = 0; while (true) yield i++; }
const [n0, n1b, n2b] = naturals();
print("generator:", n0, n1b, n2b);

// Object.entries with destructuring in a loop.
const scores = { ann: 3, ben: 7 };
for (const [name, score] of Object.entries(scores)) print(`${name}=${score}`);

// Errors: destructuring null / undefined.
for (const bad of [null, undefined]) {
  try {
    const { prop } = bad;
    print("unexpected", prop);
  } catch (e) {
    print("destructure", String(bad), "->", e.constructor.name);
  }
}
try {
  const [v] = {};
  print("unexpected", v);
} catch (e) {
  print("non-iterable ->", e.constructor.name);
}

// Assignment targets can be member expressions.
const target = {};
({ a: target.first, b: target["second"] } = { a: "A", b: "B" });
[target.third] = ["C"];
print("member targets:", JSON.stringify(target));
