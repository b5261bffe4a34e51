# decimal and fractions: exact arithmetic, contexts, rounding, conversions.
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, getcontext, localcontext
from fractions import Fraction

print(Decimal("0.1") + Decimal("0.2"), Decimal("0.1") + Decimal("0.2") == Decimal("0.3"))
print(Decimal("1.10") * 3, Decimal("10") / Decimal("4"), Decimal("1") / Decimal("7"))
print(repr(Decimal("3.14")), Decimal(0.5), Decimal(7), Decimal("-0"), Decimal("1e3"), Decimal("12.3400"))
price = Decimal("2.665")
print(price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), price.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
print(Decimal("7.99").quantize(Decimal("1"), rounding=ROUND_DOWN), round(Decimal("2.5")), round(Decimal("3.14159"), 3))
with localcontext() as ctx:
    ctx.prec = 50
    print(Decimal(2).sqrt())
print(getcontext().prec, Decimal(2).sqrt(), Decimal("12.3400").normalize(), Decimal("1.5").as_tuple())
print(sum([Decimal("0.1")] * 10), Decimal("5") % Decimal("3"), Decimal("-7") // Decimal("2"), Decimal("2") ** 100)
print(Decimal("NaN").is_nan(), Decimal("Infinity") > 10 ** 100, Decimal("1.0") == 1, float(Decimal("0.25")))
print(f"{Decimal('1234.5678'):,.2f}", f"{Decimal('0.000012'):.2e}", str(Decimal("1E+2")), int(Decimal("9.99")))

half, third = Fraction(1, 2), Fraction(1, 3)
print(half + third, half * third, half / third, half - third, third ** 2, -half)
print(repr(Fraction(6, 8)), Fraction("3.125"), Fraction(0.75), Fraction("-2/6"), Fraction(5))
print(Fraction(0.1), Fraction(0.1).limit_denominator(100), Fraction(355, 113).numerator)
print(float(Fraction(1, 8)), int(Fraction(7, 2)), round(Fraction(5, 2)), round(Fraction(7, 3), 2))
print(sum(Fraction(1, n) for n in range(1, 11)), Fraction(1, 3) < 0.34, Fraction(2, 4) == 0.5)
print(f"{float(Fraction(22, 7)):.5f}", Fraction(3, 4).as_integer_ratio(), Fraction(1, 2) + 1, 2 * Fraction(3, 4))
