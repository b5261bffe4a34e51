# bytes and bytearray, UTF-8 encode/decode, error handlers.
text = "naïve café ✓"
data = text.encode("utf-8")
print(data)
print(len(text), len(data), data.decode("utf-8") == text)
print(data.hex(), bytes.fromhex("e282ac").decode())
print("é".encode("latin-1"), b"\xe9".decode("latin-1"), "abc".encode("ascii"))
print(b"caf\xc3".decode("utf-8", errors="replace"), b"x\xffy".decode("utf-8", "ignore"))
print("ü€".encode("ascii", errors="replace"), "ü€".encode("ascii", "backslashreplace"))
print("ü".encode("ascii", "xmlcharrefreplace"))
try:
    b"\xff".decode("utf-8")
except UnicodeDecodeError as e:
    print("UnicodeDecodeError", e.start, e.end, e.encoding)
try:
    "ü".encode("ascii")
except UnicodeEncodeError as e:
    print("UnicodeEncodeError", e.start, e.end)
ba = bytearray(b"hello")
ba[0] = ord("J")
ba.extend(b" world")
ba += bytes([33])
print(ba, bytes(ba).upper(), ba.count(b"o"), ba.find(b"wor"))
print(list(b"AZaz"), bytes(range(65, 70)), b"a,b,c".split(b","), b"-".join([b"x", b"y"]))
print(b"abc"[1], b"abc"[1:], bytes(3), b"\x00\x7f\x80", b"%d-%s" % (5, b"five"))
print(memoryview(b"abcdef")[2:4].tobytes(), "🐍".encode("utf-8"), len("🐍".encode()))
