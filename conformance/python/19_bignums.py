# Arbitrary-precision integers.
import math

big = 2 ** 1000
print(big)
print(len(str(big)), big.bit_length(), sum(int(d) for d in str(big)))
f100 = math.factorial(100)
print(f100)
print(f100 % (10 ** 9 + 7), f100 // 2 ** 90, str(f100).rstrip("0") != str(f100))
print(pow(3, 10 ** 18, 10 ** 9 + 7), pow(7, -1, 13), pow(2, 100) == 1 << 100)
x = int("123456789" * 5)
print(x * x, -x // 7, -x % 7, divmod(-x, 10 ** 20))
print(int("ff" * 20, 16), hex(2 ** 127 - 1), bin(2 ** 70)[:12], oct(8 ** 25))
print(int("-0b1011", 0), int("0o777", 0), int("1_000_000"), int("  42  "), int("zz", 36))
print((2 ** 64).to_bytes(9, "big").hex(), int.from_bytes(b"\x01\x00\x00", "little"))
print(math.isqrt(10 ** 40 + 12345), math.gcd(2 ** 100, 6 ** 50), abs(-(10 ** 30)))
fib = [0, 1]
for _ in range(200):
    fib.append(fib[-1] + fib[-2])
print(fib[200])
print(float(2 ** 80), 10 ** 25 / 10 ** 5, 10 ** 25 // 10 ** 5, (10 ** 20 + 1) * 1.0)
