# math on integers and exact results: gcd/lcm, isqrt, comb/perm, factorial, prod, fsum, rounding helpers.
import math

print(math.gcd(48, 180), math.gcd(0, 0), math.gcd(12, 18, 30), math.lcm(4, 6, 10), math.lcm())
print(math.isqrt(10 ** 20 + 1), math.isqrt(99), math.factorial(25), math.comb(52, 5), math.perm(10, 3), math.perm(5))
print(math.prod([1, 2, 3, 4]), math.prod([], start=5), math.prod(range(1, 21)) == math.factorial(20))
print(math.fsum([0.1] * 10), math.fsum([1e100, 1.0, -1e100]), math.fsum([]))
print(math.floor(7.9), math.ceil(7.1), math.trunc(-7.9), math.copysign(3, -0.0), math.fabs(-2))
print(math.isclose(1.0, 1.0 + 1e-10), math.isclose(1.0, 1.1, rel_tol=0.2), math.isclose(0, 1e-12, abs_tol=1e-9))
print(math.dist((0, 0), (3, 4)), math.hypot(5, 12), math.hypot(1, 2, 2), math.sqrt(2) ** 2 == 2)
print(math.inf > 10 ** 300, -math.inf, math.isfinite(1e308), math.isinf(1e308 * 10), math.pi == 3.141592653589793)
print(math.log2(1024), math.log10(1000), round(math.log(8, 2), 12), math.exp(0), math.sqrt(16.0))
print(round(math.e, 12), round(math.tau, 12), round(math.degrees(math.pi), 9), round(math.radians(180), 12))
print([round(f(0.5), 12) for f in (math.sin, math.cos, math.tan, math.asin, math.acos, math.atan)])
print(round(math.atan2(1, -1), 12), round(math.sinh(1), 12), round(math.gamma(5.5), 9), round(math.lgamma(10), 9))
print(math.modf(-3.25), math.frexp(40.0), math.ldexp(0.625, 6), round(math.erf(1), 12), math.factorial(0))
for bad in (lambda: math.sqrt(-1), lambda: math.log(0), lambda: math.factorial(-1), lambda: math.comb(3, -1)):
    try:
        bad()
    except ValueError:
        print("ValueError", end=" ")
print()
