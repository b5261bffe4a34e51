// Reads stdin in a loop after it is exhausted: stdin is a file, reads return "" and
// never block, so the deadline ends it.
let total = 0;
for (;;) total += host.readStdin().length;
