// Catastrophic backtracking: 2^30 paths inside the regexp engine, no JS loop to interrupt.
print(/(a+)+$/.test("a".repeat(30) + "!"));
