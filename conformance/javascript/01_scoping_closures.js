// Block scoping, the temporal dead zone, hoisting and closures.
"use strict";

// let in a for loop gets a fresh binding per iteration; var shares one.
const withLet = [];
for (let i = 0; i < 3; i++) withLet.push(() => i);
const withVar = [];
for (var j = 0; j < 3; j++) withVar.push(() => j);
print("let:", withLet.map(f => f()).join(","));
print("var:", withVar.map(f => f()).join(","));

// Temporal dead zone.
try {
  tdz; // eslint-disable-line
  let tdz = 1;
} catch (e) {
  print("TDZ:", e instanceof ReferenceError);
}

// Function declarations are hoisted; function expressions are not.
print("hoisted:", hoisted());
function hoisted() { return "yes"; }
print("typeof later var:", typeof laterVar);
var laterVar = 5;

// Shadowing in nested blocks.
const x = "outer";
{
  const x = "inner";
  print("block x:", x);
}
print("after block x:", x);

// Counter factory: each closure has its own state.
function makeCounter(start = 0, step = 1) {
  let n = start;
  return {
    next: () => (n += step),
    reset() { n = start; return n; },
    get value() { return n; },
  };
}
const a = makeCounter();
const b = makeCounter(100, 10);
a.next(); a.next(); b.next();
print("counters:", a.value, b.value);
a.reset();
print("after reset:", a.value, b.next());

// Memoization through a closure.
function memoize(fn) {
  const cache = new Map();
  let calls = 0;
  const wrapped = (n) => {
    if (!cache.has(n)) { calls++; cache.set(n, fn(n)); }
    return cache.get(n);
  };
  wrapped.calls = () => calls;
  return wrapped;
}
const fib = memoize(n => (n < 2 ? n : fib(n - 1) + fib(n - 2)));
print("fib(90):", fib(90), "calls:", fib.calls());

// IIFE with private state and a const assignment error.
const module = (() => {
  let secret = 42;
  return { reveal: () => secret, bump: () => ++secret };
})();
module.bump();
print("module:", module.reveal(), typeof module.secret);
try {
  const fixed = 1;
  fixed = 2; // eslint-disable-line
} catch (e) {
  print("const assign:", e.constructor.name);
}

// Closures capture variables, not values.
let captured = "before";
const readCaptured = () => captured;
captured = "after";
print("captured:", readCaptured());
