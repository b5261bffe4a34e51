// BigInt: arithmetic, big powers, conversions, asIntN/asUintN, mixing rules.
const big = 2n ** 200n;
print("2n**200n:", big);
print("digits:", big.toString().length, "hex:", big.toString(16), "bits:", big.toString(2).length);
print("typeof:", typeof big, typeof Object(1n));

// Arithmetic: division truncates toward zero, % keeps the dividend's sign.
print("ops:", 7n + 3n, 7n - 10n, 7n * -3n, 7n / 2n, -7n / 2n, 7n % 3n, -7n % 3n, 7n % -3n, (-2n) ** 3n);
print("bitwise:", 6n & 3n, 6n | 3n, 6n ^ 3n, ~5n, 1n << 100n, -1n >> 1000n, (2n ** 64n) >> 60n);
print("unary minus:", -(-5n), "increment:", (() => { let x = 9n; x++; return x; })());

// Factorial of 50 and a big Fibonacci number.
let f = 1n;
for (let i = 2n; i <= 50n; i++) f *= i;
print("50!:", f);
let [a, b] = [0n, 1n];
for (let i = 0; i < 300; i++) [a, b] = [b, a + b];
print("fib(300):", a);

// Modular exponentiation.
function modpow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}
print("modpow:", modpow(2n, 10n ** 18n, 1_000_000_007n), modpow(3n, 200n, 2n ** 61n - 1n));

// asIntN / asUintN wrap to fixed widths.
print("asIntN:", BigInt.asIntN(8, 255n), BigInt.asIntN(8, 128n), BigInt.asIntN(64, 2n ** 63n), BigInt.asIntN(0, 5n));
print("asUintN:", BigInt.asUintN(8, -1n), BigInt.asUintN(64, -1n), BigInt.asUintN(1, 3n));

// Conversions.
print("BigInt():", BigInt(42), BigInt("0x1f"), BigInt("0b101"), BigInt("0o17"), BigInt("  123  "), BigInt(true), BigInt(Number.MAX_SAFE_INTEGER) + 2n);
for (const bad of [1.5, "1.5", "12n", NaN, "abc"]) {
  try { BigInt(bad); print("accepted", bad); } catch (e) { print(`BigInt(${typeof bad === "string" ? JSON.stringify(bad) : String(bad)}):`, e.constructor.name); }
}
print("to Number:", Number(2n ** 64n), Number(2n ** 53n + 1n), parseInt("123n"), String(10n), `${-0n}`, (255n).toString(36));
try { new BigInt(1); } catch (e) { print("new BigInt:", e.constructor.name); }

// Mixing BigInt with Number in arithmetic is a TypeError; comparisons are allowed.
for (const fn of [() => 1n + 1, () => 2n * 1.5, () => Math.max(1n, 2n), () => +1n, () => 1n >>> 0n]) {
  try { print("unexpected", fn()); } catch (e) { print("mixing:", e.constructor.name); }
}
print("compare:", 1n < 2, 2n > 1.5, 1n == 1, 1n === 1, 0n == false, 10n > 9.999999999, [3n, 1, 2n, -1].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).join(","));
print("truthiness:", !!0n, !!1n, 0n ? "t" : "f");
print("string concat:", 5n + "px", "#" + 2n ** 10n);
print("division by zero:", (() => { try { return 1n / 0n; } catch (e) { return e.constructor.name; } })());
print("negative exponent:", (() => { try { return 2n ** -1n; } catch (e) { return e.constructor.name; } })());

// BigInt64Array round trip.
const arr = new BigInt64Array([2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n + 5n]);
print("BigInt64Array:", arr.join(","));
print("BigUint64Array:", new BigUint64Array([-1n]).join());
print("toLocaleString-free formatting:", (12345678901234567890n).toString().replace(/\B(?=(\d{3})+$)/g, "_"));
