// Recursion inside the engine's C code (JSON.parse), which uses the native wasm stack
// faster than QuickJS's stack check sees: wasmtime traps (call stack exhausted), cleanly.
print(JSON.parse("[".repeat(1e6)));
