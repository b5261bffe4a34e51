// Number formatting and parsing: toString, toFixed, toPrecision, toExponential, radix.
print("toString shortest round trip:", 0.1, 1 / 3, 100, 1e21, 1e-7, 123e-20, 2 ** 70, -0, 5e-324, 0.000001);
print("toFixed:", (1.005).toFixed(2), (1.45).toFixed(1), (0.5).toFixed(0), (1.5).toFixed(0), (2.5).toFixed(0), (-1.5).toFixed(0), (1e21).toFixed(2), (123.456).toFixed(10), (0).toFixed(3), (-0.0001).toFixed(2));
print("toPrecision:", (123.456).toPrecision(4), (0.00012345).toPrecision(2), (123456).toPrecision(2), (1).toPrecision(5), (99.99).toPrecision(3), (1e21).toPrecision(3));
print("toExponential:", (123456).toExponential(2), (0.00015).toExponential(1), (1).toExponential(), (-12.5).toExponential(3));
print("radix 2:", (10).toString(2), (255).toString(2), (-5).toString(2), (0.5).toString(2), (0.1).toString(2));
print("radix 16/36/8:", (255).toString(16), (3735928559).toString(16), (1295).toString(36), (8).toString(8), (0.5).toString(16), (-255.5).toString(16));
for (const bad of [1, 37]) {
  try { (10).toString(bad); } catch (e) { print(`radix ${bad}:`, e.constructor.name); }
}
try { (1).toFixed(101); } catch (e) { print("toFixed(101):", e.constructor.name); }
print("toFixed(100) length:", (1).toFixed(100).length);

// Parsing.
print("parseInt:", parseInt("42px"), parseInt("0x1F"), parseInt("1010", 2), parseInt("z", 36), parseInt("  -17  "), parseInt(""), parseInt("9", 8), parseInt(0.0000005), parseInt("123", 0));
print("parseFloat:", parseFloat("3.14abc"), parseFloat(".5"), parseFloat("-.5e3x"), parseFloat("Infinityx"), parseFloat("1e"), parseFloat("x1"));
print("Number():", Number(""), Number("  12  "), Number("12px"), Number("0x10"), Number("0b11"), Number("0o17"), Number("1_000"), Number(null), Number(undefined), Number([]), Number([5]), Number([1, 2]), Number(true), Number("-Infinity"));
print("numeric separators:", 1_000_000, 0b1010_0101, 0xff_ff, 1_0.0_1);
print("unary plus:", +"3.5", +"", +" ", +"\n42\t", +{}, +[], +new Date(0));
print("String():", String(123.0), String(1.50), String(-1e-7), String(1.7976931348623157e308), String(2 ** 53), String(123456789012345680000));

// Integer-valued doubles near the safe limit.
print("safe limit:", 2 ** 53, 2 ** 53 + 1, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER + 2);

// A money formatter without locale dependence.
function formatMoney(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}$${whole}.${String(abs % 100).padStart(2, "0")}`;
}
print("money:", [0, 5, 123456789, -99, 100000].map(formatMoney).join(" "));

// Conversions to integers.
print("ToInt32:", 2 ** 31 | 0, (2 ** 32 + 5) | 0, 3.9 | 0, -3.9 | 0, NaN | 0, Infinity | 0, ~~"12.7");
print("number equality:", 0 === -0, Object.is(0, -0), 1 / (-0) < 0, [0].includes(-0), new Set([0, -0]).size);
