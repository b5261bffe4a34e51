// Strict vs sloppy mode semantics, direct/indirect eval, the Function constructor, globalThis.
function sloppyAssign() { implicitGlobal = "leaked"; return typeof globalThis.implicitGlobal; } // eslint-disable-line
function strictAssign() { "use strict"; try { undeclaredStrict = 1; return "no error"; } catch (e) { return e.constructor.name; } } // eslint-disable-line
print("undeclared assignment:", sloppyAssign(), strictAssign());

// arguments aliasing: sloppy functions with simple params alias, strict ones do not.
function sloppyArgs(a) { arguments[0] = "changed"; return a; }
function strictArgs(a) { "use strict"; arguments[0] = "changed"; return a; }
function defaultArgs(a = 0) { arguments[0] = "changed"; return a; }
print("arguments aliasing:", sloppyArgs("orig"), strictArgs("orig"), defaultArgs("orig"));
try { (function () { "use strict"; return arguments.callee; })(); } catch (e) { print("strict callee:", e.constructor.name); }

// Syntax that strict mode forbids (checked via Function / eval).
const strictErrors = ["with (o) {}", "var eval = 1;", "delete x;", "var x = 010;", "function f(a, a) {}", "var let = 1;", "var yield = 1;"];
print("strict syntax errors:", strictErrors.map(src => {
  try { new Function(`"use strict"; ${src}`); return "ok"; } catch (e) { return e.constructor.name; }
}).join(","));
print("same code sloppy:", strictErrors.map(src => {
  try { new Function(src); return "ok"; } catch (e) { return e.constructor.name; }
}).join(","));

// with statement in sloppy mode.
const scopeObj = { w: "from with" };
let withResult;
with (scopeObj) { withResult = w; } // eslint-disable-line
print("with:", withResult);

// Direct eval sees local scope; indirect eval uses the global scope.
var globalVar = "global";
function evalScopes() {
  const globalVar = "local"; // eslint-disable-line no-shadow
  const direct = eval("globalVar");
  const indirect = (0, eval)("globalVar");
  return `${direct} ${indirect}`;
}
print("eval scopes:", evalScopes());
function sloppyEvalVar() { eval("var introduced = 'visible'"); return typeof introduced; } // eslint-disable-line
function strictEvalVar() { "use strict"; eval("var introduced2 = 'hidden'"); return typeof introduced2; } // eslint-disable-line
print("eval var leaks in sloppy only:", sloppyEvalVar(), strictEvalVar());
print("eval completion value:", eval("1; 2; if (true) { 'last' }"), eval("let q = 5; q * 2"), eval("{}"), eval("({})") instanceof Object);
try { eval("("); } catch (e) { print("eval syntax error:", e.constructor.name); }

// Function constructor creates functions in the global scope.
const adder = new Function("a", "b = 10", "return a + b;");
function makeInScope() {
  const functionLocal = "not visible to Function bodies";
  return [new Function("return typeof functionLocal")(), eval("typeof functionLocal")];
}
print("Function ctor:", adder(1), adder(1, 2), adder.length, adder.name, makeInScope().join("/"));
print("Function toString:", new Function("x", "return x").toString().replace(/\s+/g, " "));

// globalThis and var/let at top level.
var topVar = 1;
let topLet = 2;
print("globals:", "topVar" in globalThis, "topLet" in globalThis, globalThis.topVar, typeof globalThis.topLet, globalThis === this);
print("this in sloppy function is globalThis:", (function () { return this === globalThis; })(), "strict:", (function () { "use strict"; return this; })());

// Function hoisting inside blocks (annex B in sloppy mode) and strict block functions.
{
  function blockFn() { return "block function"; }
}
print("annex B block function visible:", typeof blockFn);
print("strict block function hidden:", (function () { "use strict"; { function inner() {} } return typeof inner; })()); // eslint-disable-line

// Reserved words as property names are fine.
const reserved = { class: 1, function: 2, if: 3, new: 4, delete: 5 };
print("reserved property names:", Object.keys(reserved).join(","), reserved.class + reserved.new);

// Read-only globals.
undefined = 42; NaN = 0; Infinity = 1; // eslint-disable-line
print("read-only globals:", typeof undefined, Number.isNaN(NaN), Infinity > 1e308);
print("strict write to NaN:", (function () { "use strict"; try { NaN = 1; } catch (e) { return e.constructor.name; } return "no error"; })()); // eslint-disable-line
