# Formatting floats: repr, str, format specs, %, round-trips.
values = [0.0, -0.0, 1.0, 0.1, 1 / 3, 2 / 3, 1e-5, 123456.789, 1e22, 1.5e300, 12345678901234567890.0]
for v in values:
    print(repr(v), f"{v:.3g}", f"{v:.2e}", f"{v:,.2f}" if abs(v) < 1e10 else f"{v:.4g}")
print(f"{3.14159:10.4f}|{3.14159:<10.2f}|{3.14159:^10.1f}|{-3.14159:+.3f}|{3.14159:+.3f}")
print(f"{0.5:%} {0.125:.1%} {1234.5:,.1f} {1234.5:_.3f} {-1234.5:010.2f}")
print(f"{2.5:.0f} {3.5:.0f} {0.125:.2f} {0.375:.2f} {1e6:g} {1e16:g} {1.0:g} {123.0:.0e}")
print(f"{float('inf'):f} {float('-inf'):e} {float('nan'):g} {float('inf'):10}|")
print("%.2f %5.1f %-8.3e| %g %G %010.3f %+d %x" % (2.345, 9.99, 12345.678, 0.00001, 1e-10, -3.5, 7, 255))
print("{:.3f} {:>8} {:08.2f} {!r}".format(1.0005, 1.5, -2.5, 0.1))
print(str(1e-4), str(1e-5), str(1e15), str(1e16), str(123e-20), 1.0 * 10 ** 16)
print(float(repr(0.1 + 0.2)) == 0.1 + 0.2, float("0.1") * 3, 100 * 1.1, 0.57 * 100)
print(format(1234567.891, ",.2f"), format(0.000123, ".2e"), format(42.0, "#.0f"), format(1.5, "08.3f"))
print(round(0.1 + 0.2, 10), round(1.005, 2), round(-1.5), round(1e20 + 0.5), f"{1e20:.0f}")
