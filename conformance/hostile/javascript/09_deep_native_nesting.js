// Recursion inside the engine's C code (JSON.parse): with the runner's 8 MiB wasm stack,
// QuickJS's own stack check trips first, so it is a RangeError like any other.
print(JSON.parse("[".repeat(1e6)));
