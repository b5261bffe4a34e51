// Keeps allocating 8 MiB arrays until the memory cap refuses one.
const keep = [];
for (;;) keep.push(new Array(1 << 20).fill(1.5));
