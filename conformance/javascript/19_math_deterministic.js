// Deterministic Math functions and special values (no Math.random).
print("max/min:", Math.max(), Math.min(), Math.max(1, "7", 3), Math.min(2, NaN, 1), Math.max(-0, 0), Object.is(Math.min(0, -0), -0));
print("hypot:", Math.hypot(3, 4), Math.hypot(5, 12), Math.hypot(), Math.hypot(-3), Math.hypot(1e200, 1e200), Math.hypot(NaN, Infinity));
print("trunc:", Math.trunc(4.7), Math.trunc(-4.7), Object.is(Math.trunc(-0.5), -0), Math.trunc("12.9"), Math.trunc(Infinity));
print("sign:", Math.sign(-3), Math.sign(0), Object.is(Math.sign(-0), -0), Math.sign(7), Math.sign("x"));
print("clz32:", Math.clz32(1), Math.clz32(0), Math.clz32(-1), Math.clz32(0x80000000), Math.clz32(3.9), Math.clz32(2 ** 32));
print("fround:", Math.fround(5.5), Math.fround(5.05), Math.fround(2 ** 128), Math.fround(1e-50), Math.fround(16777217));
print("imul:", Math.imul(3, 4), Math.imul(0xffffffff, 5), Math.imul(0x7fffffff, 2), Math.imul(-5, 12), Math.imul(65537, 65537));
print("rounding:", Math.round(2.5), Math.round(-2.5), Math.round(0.49999999999999994), Math.floor(-1.1), Math.ceil(-1.9), Object.is(Math.round(-0.4), -0));
print("abs/cbrt/sqrt:", Math.abs(-7.25), Math.cbrt(-27), Math.sqrt(144), Math.sqrt(-1), Math.sqrt(2));
print("pow:", Math.pow(2, 10), 2 ** -1, (-8) ** (1 / 3), Math.pow(NaN, 0), 1 ** Infinity, 0 ** 0);
print("exp/log:", Math.exp(0), Math.log(1), Math.log2(1024), Math.log10(1e-3), Math.log(0), Math.log(-1), Math.log1p(0), Math.expm1(0));
print("trig exact:", Math.sin(0), Math.cos(0), Math.atan2(0, -0) === Math.PI, Math.atan2(1, 1) === Math.PI / 4, Math.asin(1) === Math.PI / 2);
print("constants:", Math.PI, Math.E, Math.SQRT2, Math.LN2, Math.LOG10E);
print("integer checks:", Number.isInteger(5.0), Number.isInteger(5.5), Number.isSafeInteger(2 ** 53), Number.isSafeInteger(2 ** 53 - 1), Number.isInteger("5"));
print("NaN checks:", isNaN("abc"), Number.isNaN("abc"), NaN === NaN, Object.is(NaN, NaN), [NaN].includes(NaN), [NaN].indexOf(NaN));
print("infinity:", 1 / 0, -1 / 0, 1 / -0, Infinity - Infinity, Infinity * 0, Number.MAX_VALUE * 2);
print("limits:", Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.EPSILON, Number.MIN_VALUE, Number.MAX_VALUE);
print("float math:", 0.1 + 0.2, 0.1 + 0.2 === 0.3, Math.abs(0.3 - (0.1 + 0.2)) < Number.EPSILON, 9007199254740992 + 1, 1.1 * 3);
print("integer ops:", 7 % 3, -7 % 3, 7 % -3, 5.5 % 2, -(2 ** 31) | 0, 2 ** 32 | 0, (2 ** 31) >>> 0, -1 >>> 0, 1 << 31, -16 >> 2, -16 >>> 28);

// Deterministic pseudo-random generator (mulberry32) built with imul.
function mulberry32(seed) {
  return function () {
    let t = (seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(42);
print("mulberry32:", Array.from({ length: 5 }, () => Math.floor(rand() * 1000)).join(","));

// 32-bit FNV-1a hash with imul.
function fnv1a(str) {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoderLike().encode(str)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
function TextEncoderLike() {}
TextEncoderLike.prototype.encode = (s) => Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));
print("fnv1a:", fnv1a(""), fnv1a("a"), fnv1a("hello"), fnv1a("héllo"));

// Sum of a sequence, statistics with exact expectations.
const xs = [2, 4, 4, 4, 5, 5, 7, 9];
const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
print("mean/sd:", mean, sd);
print("gcd/lcm:", (function gcd(a, b) { return b ? gcd(b, a % b) : a; })(1071, 462), [4, 6, 10].reduce((l, n) => (l * n) / (function g(a, b) { return b ? g(b, a % b) : a; })(l, n)));
