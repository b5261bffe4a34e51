// One 512 MiB string, far over the cap.
const s = "x".repeat(2 ** 29);
print(s.length);
