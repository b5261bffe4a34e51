// Prints 1 MiB lines forever: output past the cap is cut and the write fails.
const line = "x".repeat(1 << 20);
for (;;) print(line);
