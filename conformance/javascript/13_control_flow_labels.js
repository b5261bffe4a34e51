// Labelled break/continue, switch fall-through, loops of every kind, comma and void.
// Find the first pair summing to a target with a labelled break.
const nums = [3, 9, 14, 2, 7, 11];
let found = null;
search: for (let i = 0; i < nums.length; i++) {
  for (let j = i + 1; j < nums.length; j++) {
    if (nums[i] + nums[j] === 16) { found = [nums[i], nums[j]]; break search; }
  }
}
print("pair:", JSON.stringify(found));

// Labelled continue skips to the next outer iteration.
const grid = [[1, 2, 3], [4, -1, 6], [7, 8, 9]];
const rowSums = [];
rows: for (const row of grid) {
  let sum = 0;
  for (const v of row) {
    if (v < 0) { rowSums.push("skip"); continue rows; }
    sum += v;
  }
  rowSums.push(sum);
}
print("row sums:", rowSums.join(","));

// Primes with a labelled continue.
const primes = [];
outer: for (let n = 2; primes.length < 10; n++) {
  for (const p of primes) {
    if (p * p > n) break;
    if (n % p === 0) continue outer;
  }
  primes.push(n);
}
print("primes:", primes.join(" "));

// A label on a plain block.
block: {
  print("in block");
  if (primes.length) break block;
  print("never printed");
}

// switch with fall-through, default in the middle, and strict comparison.
function classify(x) {
  const out = [];
  switch (x) {
    case 1:
      out.push("one");
    case 2:
      out.push("one-or-two");
      break;
    default:
      out.push("default");
    case "3":
      out.push("string three");
      break;
    case 4: {
      const scoped = "four";
      out.push(scoped);
      break;
    }
  }
  return out.join("+");
}
print("switch:", [1, 2, 3, "3", 4, 5].map(classify).join(" | "));

// do-while runs at least once; while with complex conditions.
let k = 10;
do { k++; } while (k < 5);
print("do-while:", k);
let collatz = 27, steps = 0;
while (collatz !== 1) { collatz = collatz % 2 ? 3 * collatz + 1 : collatz / 2; steps++; }
print("collatz(27) steps:", steps);

// for-in over own and inherited enumerable properties, order rules.
const parent = { inherited: 1 };
const child = Object.create(parent);
child.b = 2; child[10] = "ten"; child.a = 1; child[2] = "two";
const keys = [];
for (const key in child) keys.push(key);
print("for-in:", keys.join(","));

// Comma operator, void, and loops with multiple variables.
let pairs = [];
for (let i = 0, j = 10; i < j; i += 3, j -= 3) pairs.push(`${i}:${j}`);
print("two vars:", pairs.join(" "), "comma:", (1, 2, 3), "void:", void 42);

// break out of a labelled loop from inside a try/finally runs the finally.
const trace = [];
loop: for (let i = 0; i < 3; i++) {
  try {
    if (i === 1) break loop;
    trace.push("body" + i);
  } finally {
    trace.push("finally" + i);
  }
}
print("finally with break:", trace.join(","));

// Returning from inside finally overrides, continue in finally.
function finallyWins() { try { return "try"; } finally { return "finally"; } } // eslint-disable-line
function finallySeesReturn() { let x = "start"; try { return x; } finally { x = "changed"; } }
print("finally override:", finallyWins(), finallySeesReturn());
