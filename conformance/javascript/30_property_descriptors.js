// Getters/setters, Object.defineProperty, descriptors, freeze/seal/preventExtensions.
const temp = {
  _c: 25,
  get f() { return this._c * 9 / 5 + 32; },
  set f(v) { this._c = (v - 32) * 5 / 9; },
};
temp.f = 212;
print("accessor:", temp._c, temp.f, JSON.stringify(temp));

// defineProperty defaults are false for writable/enumerable/configurable.
const o = {};
Object.defineProperty(o, "fixed", { value: 1 });
print("defaults:", JSON.stringify(Object.getOwnPropertyDescriptor(o, "fixed")));
o.fixed = 2; // silently ignored in sloppy mode
print("sloppy write ignored:", o.fixed, Object.keys(o).length, JSON.stringify(o));
(function () {
  "use strict";
  try { o.fixed = 3; } catch (e) { print("strict write:", e.constructor.name); }
  try { delete o.fixed; } catch (e) { print("strict delete:", e.constructor.name); }
})();
try { Object.defineProperty(o, "fixed", { value: 5 }); } catch (e) { print("redefine non-configurable:", e.constructor.name); }
Object.defineProperty(o, "fixed", { value: 1 }); // same value: allowed
print("same-value redefine allowed:", o.fixed);

// Accessor via defineProperty, with a counter and enumerable false.
let reads = 0;
Object.defineProperty(o, "counted", { get() { reads++; return reads; }, enumerable: false, configurable: true });
print("accessor defineProperty:", o.counted, o.counted, "in keys:", Object.keys(o).includes("counted"), "in names:", Object.getOwnPropertyNames(o).join(","));
const d = Object.getOwnPropertyDescriptor(o, "counted");
print("accessor descriptor keys:", Object.keys(d).join(","), d.set);
try { Object.defineProperty({}, "bad", { value: 1, get() {} }); } catch (e) { print("mixed descriptor:", e.constructor.name); }
// Setter only: reading gives undefined.
const writeOnly = {};
Object.defineProperty(writeOnly, "sink", { set(v) { this.last = v; }, enumerable: true });
writeOnly.sink = "x";
print("setter only:", writeOnly.sink, writeOnly.last);

// defineProperties and getOwnPropertyDescriptors (clone including accessors).
const src = Object.defineProperties({}, {
  a: { value: "A", enumerable: true },
  b: { get() { return "B"; }, enumerable: true },
});
const cloneAssign = Object.assign({}, src);
const cloneDesc = Object.defineProperties({}, Object.getOwnPropertyDescriptors(src));
print("assign copies values:", typeof Object.getOwnPropertyDescriptor(cloneAssign, "b").get, "descriptors copy accessors:", typeof Object.getOwnPropertyDescriptor(cloneDesc, "b").get);

// freeze / seal / preventExtensions.
const frozen = Object.freeze({ x: 1, inner: { y: 2 } });
frozen.x = 99; frozen.z = 1; delete frozen.x;
frozen.inner.y = 3; // shallow
print("freeze:", JSON.stringify(frozen), Object.isFrozen(frozen), Object.isFrozen(frozen.inner));
const sealed = Object.seal({ x: 1 });
sealed.x = 2; sealed.y = 3; delete sealed.x;
print("seal:", JSON.stringify(sealed), Object.isSealed(sealed), Object.isFrozen(sealed));
const nonExt = Object.preventExtensions({ x: 1 });
nonExt.y = 2; delete nonExt.x;
print("preventExtensions:", JSON.stringify(nonExt), Object.isExtensible(nonExt));
(function () {
  "use strict";
  for (const [label, fn] of [["frozen write", () => { frozen.x = 0; }], ["sealed add", () => { sealed.q = 0; }], ["nonExt add", () => { nonExt.q = 0; }]]) {
    try { fn(); print(label, "no error"); } catch (e) { print(`strict ${label}:`, e.constructor.name); }
  }
})();
print("frozen array:", (() => { const a = Object.freeze([1]); try { a.push(2); } catch (e) { return e.constructor.name; } return "pushed"; })());

// Inherited setters intercept assignment; non-writable inherited props block it.
const protoWithSetter = { set v(x) { this._v = x * 2; } };
const child = Object.create(protoWithSetter);
child.v = 5;
print("inherited setter:", child._v, Object.hasOwn(child, "v"));
const protoReadOnly = Object.defineProperty({}, "ro", { value: "proto", writable: false });
const child2 = Object.create(protoReadOnly);
child2.ro = "own";
print("inherited read-only blocks assignment:", child2.ro, Object.hasOwn(child2, "ro"));
Object.defineProperty(child2, "ro", { value: "defined", enumerable: true });
print("but defineProperty shadows:", child2.ro);

// Getters on classes and lazy, self-replacing getters.
const lazy = {
  get expensive() {
    const value = [1, 2, 3].reduce((a, b) => a + b);
    Object.defineProperty(this, "expensive", { value, writable: false });
    return value;
  },
};
print("lazy getter:", lazy.expensive, typeof Object.getOwnPropertyDescriptor(lazy, "expensive").get, lazy.expensive);

// Array length and index properties.
const arr = [1, 2, 3];
print("array length descriptor:", JSON.stringify(Object.getOwnPropertyDescriptor(arr, "length")));
Object.defineProperty(arr, "length", { writable: false });
// push always throws on failure, even in sloppy mode.
try { arr.push(4); } catch (e) { print("push on fixed length:", e.constructor.name); }
print("Object.hasOwn vs in:", Object.hasOwn({ a: 1 }, "a"), Object.hasOwn({}, "toString"), "toString" in {});
print("propertyIsEnumerable:", [1].propertyIsEnumerable(0), [1].propertyIsEnumerable("length"));
