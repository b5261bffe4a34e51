// Reaching outside the sandbox: no module loader, no std/os modules, no file, process,
// network or timer API. The host object has exactly its five documented functions.
const names = ["require", "process", "std", "os", "scriptArgs", "module", "exports", "setTimeout",
               "setInterval", "fetch", "XMLHttpRequest", "WebSocket", "Deno", "Bun", "navigator", "WebAssembly"];
for (const name of names) print(`${name}: ${typeof globalThis[name]}`);
print(`host: ${Object.getOwnPropertyNames(host).sort().join(",")}`);
for (const name of ["readFile", "writeFile", "open", "system", "getenv", "spawn"]) print(`host.${name}: ${typeof host[name]}`);
for (const spec of ["os", "std", "qjs:os", "qjs:std", "/etc/passwd", "./main.js", "/script/main.js", "file:///etc/passwd"]) {
  import(spec).then(() => print(`import(${spec}): loaded`), e => print(`import(${spec}): ${e.name}: ${e.message}`));
}
