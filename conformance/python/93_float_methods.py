# float: exact ratios, hex round-trips, rounding to even, special values and comparisons.
import math

print((0.1).as_integer_ratio(), (2.5).as_integer_ratio(), (0.5).hex(), float.fromhex("0x1.8p1"), (1.0).hex())
print((3.0).is_integer(), (3.5).is_integer(), round(0.125, 2), round(0.375, 2), round(2.675, 2), round(1234.5, -2))
print(float("1e400"), float("-inf") < -1e308, float("nan") == float("nan"), math.isnan(float("nan")))
nan = float("nan")
print(nan in [nan], [nan] == [nan], sorted([3.0, 1.0, 2.0]), min(0.0, -0.0), max(-0.0, 0.0))
print(0.1 + 0.2 == 0.3, math.isclose(0.1 + 0.2, 0.3), 1e16 + 1 == 1e16, 2 ** 53 + 1.0 == 2 ** 53)
print(float("  3.25 "), float("1_000.5"), float("-0"), float("infinity"), float("+NaN") != 0)
print(math.nextafter(1.0, 2.0), math.ulp(1.0), 5e-324 / 2, 1.7976931348623157e308 * 2)
print(divmod(7.5, 2), 7.5 // -2, -7.5 % 2, math.fmod(-7.5, 2), math.remainder(7.5, 2))
print(int(1e20), int(-2.9), math.floor(-2.5), math.ceil(-2.5), math.trunc(2.9), round(-2.5), round(2.5))
print(1 / 3, 2 / 3, 10 / 3, 1e22, 1e21, 123456789012345678.0, 0.1 * 3, 1.1 * 1.1)
print(float.fromhex("0x1.fffffffffffffp+1023") == 1.7976931348623157e308, hash(1.0) == hash(1), hash(0.5) == hash(0.5 + 0j))
try:
    float("1.2.3")
except ValueError as e:
    print("ValueError:", e)
try:
    1.0 / 0
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
