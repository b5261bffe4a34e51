# The format mini-language: fill, align, sign, width, grouping, precision and types.
values = [0, 7, -42, 1234567, 3.14159, -0.5, 1e-7, 2.5e10]
for v in values:
    print(f"[{v:>12}] [{v:<10}] [{v:^11}] [{v:+}]")
print(f"{1234567:,} {1234567:_} {0xDEADBEEF:_x} {255:#x} {255:#o} {5:#b} {255:08b}")
print(f"{3.14159:.2f} {3.14159:10.3f}| {-3.14159:e} {1234.5:.3e} {0.000123:g} {123456789.0:g}")
print(f"{0.25:%} {0.25:.1%} {1/3:.10} {2/3:.3g} {1e16:g} {1.5:08.2f} {-1.5:+09.2f}")
print(f"{'left':*<10}|{'right':->10}|{'mid':=^9}|{-5:=+6}|{5: }|{-5: }")
print(f"{'trunc':.3} {'pad':10.2}| {12:x>4} {12:04d} {-12:05d} {12345:,.2f}")
print(format(1234.5678, ",.2f"), format(255, "X"), format("s", "^5"), format(True, "d"), format(3, ".2f"))
print("{:{fill}{align}{width}}".format("nest", fill="~", align="^", width=10))
print("{0}{1}{0}".format("ab", "-"), "{name}:{0[1]}".format([9, 8], name="n"), "{!r:>6}".format("x"))
print(f"{float('inf'):10} {float('-inf'):<6}| {float('nan'):+} {-0.0} {0.0:+}")
print(f"{1e22:.3f} {12.0:.0f} {12.5:.0f} {13.5:.0f} {0.125:.2f} {0.375:.2f}")
