// Generators: yield, yield*, return/throw, two-way communication, laziness.
function* countdown(n) {
  while (n > 0) yield n--;
  return "liftoff";
}
const it = countdown(3);
const steps = [];
for (let r = it.next(); ; r = it.next()) {
  steps.push(JSON.stringify(r));
  if (r.done) break;
}
print(steps.join(" "));
print("for-of ignores return value:", [...countdown(3)].join(","));

// Two-way: the argument of next() becomes the value of the yield expression.
function* accumulator() {
  let total = 0;
  while (true) {
    const v = yield total;
    if (v === undefined) break;
    total += v;
  }
  return `final ${total}`;
}
const acc = accumulator();
print("acc:", acc.next().value, acc.next(5).value, acc.next(10).value, JSON.stringify(acc.next()));

// return() runs finally blocks; throw() can be caught inside.
function* guarded() {
  try {
    yield 1;
    yield 2;
  } finally {
    print("  cleanup ran");
  }
}
const g1 = guarded();
g1.next();
print("return():", JSON.stringify(g1.return("early")), JSON.stringify(g1.next()));

function* resilient() {
  let errors = 0;
  while (true) {
    try {
      yield errors;
    } catch (e) {
      errors++;
      print("  caught inside:", e);
    }
  }
}
const g2 = resilient();
g2.next();
print("throw():", g2.throw("oops").value, g2.throw("again").value);

const g3 = countdown(2);
try { g3.throw(new Error("unstarted")); } catch (e) { print("throw into fresh generator:", e.message, JSON.stringify(g3.next())); }

// yield* delegates, including the delegate's return value.
function* inner() { yield "a"; yield "b"; return "inner-done"; }
function* outer() {
  const r = yield* inner();
  yield r;
  yield* [1, 2];
  yield* "xy";
}
print("yield*:", [...outer()].join(","));

// Recursive generator: in-order tree traversal.
const tree = { v: 4, l: { v: 2, l: { v: 1 }, r: { v: 3 } }, r: { v: 6, l: { v: 5 }, r: { v: 7 } } };
function* inorder(node) {
  if (!node) return;
  yield* inorder(node.l);
  yield node.v;
  yield* inorder(node.r);
}
print("inorder:", [...inorder(tree)].join(" "));

// Lazy pipelines over an infinite sequence.
function* naturals() { let n = 1; while (true) yield n++; }
function* filter(iter, pred) { for (const x of iter) if (pred(x)) yield x; }
function* map(iter, fn) { for (const x of iter) yield fn(x); }
function* take(iter, n) { if (n <= 0) return; for (const x of iter) { yield x; if (--n <= 0) return; } }
const pipeline = take(map(filter(naturals(), n => n % 3 === 0), n => n * n), 5);
print("lazy:", [...pipeline].join(","));

// Generators are iterators of themselves, and objects can have generator methods.
const gen = countdown(1);
print("self-iterable:", gen[Symbol.iterator]() === gen, Object.prototype.toString.call(gen));
const range = {
  from: 1, to: 4,
  *[Symbol.iterator]() { for (let i = this.from; i <= this.to; i++) yield i; },
};
print("range:", [...range].join(" "), Math.max(...range));

// Fibonacci with destructuring assignment and early break closing the generator.
function* fib() {
  let [a, b] = [0, 1];
  try {
    while (true) { yield a; [a, b] = [b, a + b]; }
  } finally {
    print("  fib closed");
  }
}
const fibs = [];
for (const f of fib()) { if (f > 50) break; fibs.push(f); }
print("fib:", fibs.join(","));

// A running generator cannot be re-entered.
function* selfRef() { try { gen4.next(); } catch (e) { yield e.constructor.name; } }
const gen4 = selfRef();
print("re-entry:", gen4.next().value);
