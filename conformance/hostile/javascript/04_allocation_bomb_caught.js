// Out of memory is not a catchable exception: the host exits at once.
try {
  const keep = [];
  for (;;) keep.push(new Array(1 << 20).fill(1.5));
} catch (e) {
  print("caught", e);
}
