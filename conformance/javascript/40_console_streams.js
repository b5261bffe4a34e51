// stdout vs stderr: print/console.log/console.info go to stdout, console.error/warn to stderr,
// host.writeStdout/writeStderr write strings verbatim (no separator, no newline).
print("print:", 1, "two", true, null, undefined, [1, 2], { a: 1 });
console.log("console.log with no args next:");
console.log();
console.info("console.info goes to stdout");
console.error("console.error: stderr-marker-one");
console.warn("console.warn: stderr-marker-two");
host.writeStderr("writeStderr verbatim\n");
host.writeStdout("no newline...");
host.writeStdout("");
host.writeStdout("...joined\n");
host.writeStdout(String(12345) + "\t" + "tab\n");
print("multiple", "spaces", "", "between", "empty", "args");
print(`trailing spaces kept   `);
print("embedded\nnewline and \r carriage return");
print("NUL byte:", "a\u0000b".length);
print(Symbol.for("printable").toString(), 10n, -0, [,], [null], [undefined, 1]);
print(String(function namedFn(a, b) { return a + b; }));
print((() => 1).toString(), class Foo { bar() {} }.toString());
const big = "x".repeat(10000);
print("long line length:", big.length);
host.writeStdout(big.slice(0, 50) + "\n");
