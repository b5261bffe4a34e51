# int: bytes conversion, bit operations, modular arithmetic, parsing bases and digit separators.
n = 1_000_000
print(n.to_bytes(4, "big"), n.to_bytes(4, "little"), (-2).to_bytes(2, "big", signed=True))
print(int.from_bytes(b"\x00\x10", "big"), int.from_bytes(b"\xff\xfe", "little", signed=True))
print((255).bit_length(), (0).bit_length(), (-8).bit_length(), (0b10110).bit_count(), (-7).bit_count())
print(pow(3, 200, 1000), pow(7, -1, 40), pow(2, -1), pow(-2, 3), pow(0, 0))
print(int("ff", 16), int("0x1F", 0), int("0o17", 0), int("0b101", 0), int("z", 36), int(" -12 "), int("1_000"))
print(bin(10), oct(-8), hex(3735928559), int(3.99), int(-3.99), int(True), round(2.5), round(3.5), round(-0.5))
print(divmod(17, 5), divmod(-17, 5), divmod(17, -5), -17 // 5, -17 % 5, 17 % -5)
print((42).as_integer_ratio(), (10).numerator, (10).denominator, (5).real, (5).imag, (7).conjugate())
print(abs(-10**20), 10**20 // 7, -(10**20) // 7, (10**20) >> 10, 1 << 70, ~5, -5 & 0xFF)
print(isinstance(True, int), True + True, hash(-1) == hash(-2), int.__name__, (3).__index__())
for text in ("12.5", "", "0x10", "1__0"):
    try:
        int(text)
    except ValueError:
        print("ValueError for", repr(text))
