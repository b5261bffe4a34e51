// Exceptions that are caught: types, messages, finally ordering, custom errors, cause.
const trace = [];
function risky(kind) {
  trace.push(`enter ${kind}`);
  try {
    if (kind === "throw") throw new Error("boom");
    if (kind === "return") return "returned";
    trace.push("try completed");
  } catch (e) {
    trace.push(`catch ${e.message}`);
    return "from catch";
  } finally {
    trace.push(`finally ${kind}`);
  }
  return "after";
}
print(risky("ok"), risky("throw"), risky("return"));
print("trace:", trace.join(" | "));

// Built-in error types from real operations.
const cases = [
  () => null.prop,
  () => undefinedVariable, // eslint-disable-line no-undef
  () => new Array(-1),
  () => JSON.parse("{bad"),
  () => decodeURIComponent("%"),
  () => (1).toFixed(500),
  () => Symbol() + 1,
  () => (class { #p; static read(o) { return o.#p; } }).read({}),
  () => { "use strict"; Object.freeze([1]).pop(); },
  () => eval("let let = 1"),
  () => BigInt(1.5),
  () => structuredCloneMissing(), // eslint-disable-line no-undef
];
for (const fn of cases) {
  try { fn(); print("no error"); } catch (e) {
    print(`${e.constructor.name}: instanceof Error=${e instanceof Error} name=${e.name} hasMessage=${typeof e.message === "string" && e.message.length > 0}`);
  }
}

// Error properties and toString.
const err = new TypeError("bad type");
print("toString:", String(err), "|", err.name, "|", err.message, "|", Object.prototype.toString.call(err));
print("own props:", Object.keys(err).length, Object.hasOwn(err, "message"), Object.getOwnPropertyDescriptor(err, "message").enumerable);
print("empty message:", String(new Error()), JSON.stringify(new Error("x").message), String(new RangeError("")));
const custom = new Error("m");
custom.name = "Renamed";
print("renamed:", String(custom));
print("stack is a string:", typeof new Error("s").stack);

// Error.cause (ES2022).
try {
  try {
    JSON.parse("{");
  } catch (inner) {
    throw new Error("config load failed", { cause: inner });
  }
} catch (outer) {
  print("cause:", outer.message, "<-", outer.cause.constructor.name, Object.hasOwn(outer, "cause"));
}
print("cause absent:", "cause" in new Error("x"), "cause undefined present:", "cause" in new Error("x", { cause: undefined }));
print("cause any value:", new Error("x", { cause: 42 }).cause, JSON.stringify(new Error("x", { cause: { code: "E1" } }).cause));

// Custom error hierarchy.
class AppError extends Error {
  constructor(message, options) { super(message, options); this.name = this.constructor.name; }
}
class NotFound extends AppError {
  constructor(what) { super(`${what} not found`); this.what = what; }
}
function handle(e) {
  if (e instanceof NotFound) return `404 ${e.what}`;
  if (e instanceof AppError) return `500 ${e.message}`;
  return `unknown ${e}`;
}
for (const thrower of [() => { throw new NotFound("page"); }, () => { throw new AppError("generic"); }, () => { throw "a string"; }]) {
  try { thrower(); } catch (e) { print("handled:", handle(e), e instanceof Error ? e.name : typeof e); }
}

// Throwing arbitrary values.
for (const v of [42, null, undefined, { code: 7 }, Symbol("s")]) {
  try { throw v; } catch (e) { print("thrown value:", typeof e, e === v); }
}

// Optional catch binding and rethrow.
let result;
try { JSON.parse("nope"); result = "parsed"; } catch { result = "unparseable"; }
print("optional binding:", result);
try {
  try { throw new RangeError("inner"); } catch (e) { if (e instanceof RangeError) throw e; }
} catch (e) { print("rethrown:", e.message); }

// AggregateError.
const agg = new AggregateError([new Error("one"), new TypeError("two")], "several");
print("AggregateError:", agg.name, agg.message, agg.errors.map(String).join(" / "));

// finally overriding a throw, and exceptions inside finally.
function swallow() { try { throw new Error("lost"); } finally { return "finally wins"; } } // eslint-disable-line
print("finally return swallows throw:", swallow());
try { try { throw new Error("first"); } finally { throw new Error("second"); } } catch (e) { print("finally throw replaces:", e.message); } // eslint-disable-line

// Errors across generator and async boundaries are catchable.
function* gen() { yield 1; throw new Error("from generator"); }
try { for (const _ of gen()); } catch (e) { print("generator error:", e.message); }
(async () => {
  try { await (async () => { await null; throw new URIError("async"); })(); } catch (e) { print("async error:", e.name, e.message); }
})();
// Stack overflow is a catchable RangeError-like InternalError/RangeError.
function recurse(n) { return recurse(n + 1) + 1; }
try { recurse(0); } catch (e) { print("deep recursion caught:", e instanceof RangeError || e.name === "InternalError"); }
