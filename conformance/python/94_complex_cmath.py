# complex numbers and cmath (results rounded: libm implementations differ in the last bit).
import cmath

z = complex(3, 4)
print(z, z.real, z.imag, abs(z), z.conjugate(), z * 1j, z / (1 + 1j), z ** 2)
print(complex("1+2j"), complex(" -1.5e3-0.5j "), 1j ** 2, (1 + 2j) == complex(1, 2), -0j)


def r(c, nd=10):
    return complex(round(c.real, nd), round(c.imag, nd))


print(r(cmath.sqrt(-4)), r(cmath.exp(1j * cmath.pi)), round(cmath.phase(-1), 10))
print(tuple(round(x, 10) for x in cmath.polar(1 + 1j)), r(cmath.rect(2, cmath.pi / 2)))
print(r(cmath.log(-1)), r(cmath.sin(1j)), cmath.isclose(cmath.exp(cmath.log(z)), z))
print(cmath.isinf(complex(float("inf"), 0)), cmath.isnan(complex(0, float("nan"))), cmath.isfinite(z))
print(f"{z:.2f}", f"{1.5 - 2j:>14}", repr(complex(0, -0.0)), hash(complex(2, 0)) == hash(2))
try:
    complex(1, 1) < complex(2, 2)
except TypeError:
    print("complex numbers are unordered")
try:
    complex("1+2i")
except ValueError:
    print("ValueError for 1+2i")
