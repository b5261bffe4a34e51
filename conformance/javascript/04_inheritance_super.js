// Inheritance: extends, super calls, super property access, new.target, built-in subclassing.
class Shape {
  static created = [];
  constructor(name) {
    this.name = name;
    Shape.created.push(new.target.name);
  }
  area() { return 0; }
  describe() { return `${this.name} with area ${this.area().toFixed(2)}`; }
  static create(...args) { return new this(...args); }
  get kind() { return "shape"; }
}

class Rect extends Shape {
  constructor(w, h) {
    super("rect");
    this.w = w;
    this.h = h;
  }
  area() { return this.w * this.h; }
  get kind() { return "rect<" + super.kind + ">"; }
}

class Square extends Rect {
  constructor(s) { super(s, s); this.name = "square"; }
  describe() { return super.describe() + " (a square)"; }
}

class Circle extends Shape {
  constructor(r) { super("circle"); this.r = r; }
  area() { return Math.PI * this.r ** 2; }
}

const shapes = [new Rect(2, 3), new Square(4), Circle.create(1), Square.create(2)];
for (const s of shapes) print(s.describe());
print("new.target names:", Shape.created.join(","));
print("kinds:", shapes.map(s => s.kind).join(" "));
print("instanceof:", shapes[1] instanceof Square, shapes[1] instanceof Rect, shapes[1] instanceof Shape, shapes[2] instanceof Rect);
print("prototype chain:", Object.getPrototypeOf(Square) === Rect, Object.getPrototypeOf(Square.prototype) === Rect.prototype);
print("static inherited:", Square.create === Shape.create, Object.hasOwn(Square, "create"));

// Using this before super() is a ReferenceError.
class Bad extends Shape {
  constructor() { this.x = 1; super("bad"); }
}
try { new Bad(); } catch (e) { print("this before super:", e.constructor.name); }

// A derived class without a constructor forwards its arguments.
class Labelled extends Rect {}
const l = new Labelled(5, 6);
print("default ctor:", l.area(), l.name);

// Subclassing built-ins.
class Stack extends Array {
  peek() { return this[this.length - 1]; }
}
const st = Stack.from([1, 2, 3]);
st.push(4);
const mapped = st.map(x => x * 10);
print("Stack:", st.peek(), st.length, mapped instanceof Stack, mapped.peek(), Array.isArray(st));

class HttpError extends Error {
  constructor(status, message, options) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }
}
const he = new HttpError(404, "not found");
print("HttpError:", he instanceof Error, he.name, he.status, String(he));

// super in object literals via [[HomeObject]].
const base = { greet() { return "hello from base"; } };
const derived = { __proto__: base, greet() { return super.greet() + " via derived"; } };
print(derived.greet());

// Mixins: class factories.
const Serializable = (B) => class extends B {
  serialize() { return JSON.stringify(this); }
};
const Eq = (B) => class extends B {
  equals(o) { return this.serialize() === o.serialize(); }
};
class Pt { constructor(x, y) { this.x = x; this.y = y; } }
class SmartPt extends Eq(Serializable(Pt)) {}
const p1 = new SmartPt(1, 2);
print("mixins:", p1.serialize(), p1.equals(new SmartPt(1, 2)), p1.equals(new SmartPt(2, 1)));

// Extending null-prototype and overriding static via super.
class Base2 { static id() { return "base"; } }
class Child2 extends Base2 { static id() { return super.id() + ">child"; } }
print("static super:", Child2.id());
// Method overriding and dynamic dispatch from the base constructor.
class A { constructor() { this.log = this.who(); } who() { return "A"; } }
class B extends A { who() { return "B"; } }
print("dispatch in base ctor:", new B().log);
