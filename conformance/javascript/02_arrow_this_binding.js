// `this` binding: methods, arrows, call/apply/bind, strict vs sloppy functions.
function sloppyThis() { return this === globalThis; }
function strictThis() { "use strict"; return this; }
print("sloppy plain call this is global:", sloppyThis());
print("strict plain call this:", strictThis());

const obj = {
  name: "obj",
  regular() { return this.name; },
  arrow: () => typeof this,
  delayed() {
    // An arrow captures `this` of the enclosing method.
    return [1, 2].map(n => `${this.name}-${n}`).join(",");
  },
  nestedFunction() {
    return [1].map(function () { return this === undefined ? "undefined" : typeof this; }, undefined).join();
  },
};
print("method:", obj.regular());
print("arrow at top level:", obj.arrow());
print("arrow in method:", obj.delayed());
print("sloppy callback with undefined thisArg:", obj.nestedFunction());

const detached = obj.regular;
print("detached in sloppy mode uses global:", detached() === globalThis.name);

const other = { name: "other" };
print("call:", obj.regular.call(other));
print("apply:", Math.max.apply(null, [3, 9, 4]));
const bound = obj.regular.bind(other);
print("bind:", bound(), "rebind ignored:", bound.call(obj), "name:", bound.name);

// Arrow functions ignore call/bind for `this`.
const arrowFactory = function () { return () => this.name; };
const arrow = arrowFactory.call({ name: "captured" });
print("arrow with call:", arrow.call({ name: "ignored" }));

// Partial application with bind.
function volume(l, w, h) { return l * w * h; }
const base10 = volume.bind(null, 10);
print("partial:", base10(2, 3), "length:", base10.length);

// Callbacks with thisArg.
const counter = { total: 0 };
[1, 2, 3].forEach(function (n) { this.total += n; }, counter);
print("forEach thisArg:", counter.total);

// Class methods are strict: detached call gets undefined.
class Widget {
  constructor() { this.id = 7; }
  getId() { return this === undefined ? "no this" : this.id; }
  arrowId = () => this.id;
}
const w = new Widget();
const { getId, arrowId } = w;
print("class detached:", getId(), "arrow field:", arrowId());

// new binds `this` to a fresh object; returning an object overrides it.
function Maker() { this.made = true; }
function Overrider() { this.made = true; return { overridden: true }; }
print("new:", JSON.stringify(new Maker()), JSON.stringify(new Overrider()));
try {
  new (() => {})();
} catch (e) {
  print("new arrow:", e.constructor.name);
}
