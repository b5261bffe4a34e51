# decimal contexts: precision, rounding modes, quantize, traps and signals, exact construction.
from decimal import (ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero,
                     InvalidOperation, Inexact, getcontext, localcontext)

print(Decimal(0.1), Decimal("0.1") + Decimal("0.2"), Decimal("1.30") + Decimal("1.20"), Decimal(10) ** -3)
with localcontext() as ctx:
    ctx.prec = 5
    print(Decimal(1) / Decimal(7), Decimal(2).sqrt(), +Decimal("3.14159265"))
print(getcontext().prec, Decimal(1) / Decimal(7))
for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_CEILING):
    print(mode, [str(Decimal(v).quantize(Decimal("0.1"), rounding=mode)) for v in ("2.25", "2.35", "-2.25", "2.21")])
print(Decimal("123.456").quantize(Decimal("1E+1")), Decimal("7.000").normalize(), Decimal("-0").is_signed())
print(Decimal("1e3").to_integral_value(), Decimal("12.5").as_tuple(), Decimal("NaN").is_nan(), Decimal("-Infinity"))
ctx = Context(prec=3, traps=[DivisionByZero])
try:
    ctx.divide(Decimal(1), Decimal(0))
except DivisionByZero:
    print("DivisionByZero trapped")
ctx = Context(prec=3, traps=[])
print(ctx.divide(Decimal(1), Decimal(0)), ctx.divide(Decimal(2), Decimal(3)), bool(ctx.flags[Inexact]))
try:
    Decimal("abc")
except InvalidOperation:
    print("InvalidOperation for 'abc'")
print(sum(Decimal("0.01") for _ in range(100)), Decimal("10.5") // 3, Decimal("-10.5") % 3, divmod(Decimal(7), 2))
print(f"{Decimal('1234.5678'):,.2f}", f"{Decimal('0.000012'):e}", Decimal("2.50") == Decimal("2.5"), hash(Decimal("2.5")) == hash(2.5))
