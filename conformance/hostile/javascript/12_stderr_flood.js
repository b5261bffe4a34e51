// The same on stderr, through console.error.
const line = "y".repeat(4096);
for (;;) console.error(line);
