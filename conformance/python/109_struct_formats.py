# struct with explicit byte orders and sizes: packing, unpacking, pack_into, iter_unpack, errors.
import struct

print(struct.calcsize("<i"), struct.calcsize("<qhb"), struct.calcsize(">3sxH?"), struct.calcsize("!d"))
packed = struct.pack("<hHiIqQ", -1, 65535, -2, 4000000000, -3, 2 ** 64 - 1)
print(packed.hex(), struct.unpack("<hHiIqQ", packed))
print(struct.pack(">f", 1.5).hex(), struct.pack("<d", -0.1).hex(), struct.unpack(">e", b"\x3c\x00"))
print(struct.pack("<5s3p?c", b"hi", b"abc", True, b"Z"), struct.unpack("<5s", b"hello"))
buf = bytearray(12)
struct.pack_into(">HI", buf, 2, 0xBEEF, 0xCAFEBABE)
print(buf.hex(), struct.unpack_from(">I", buf, 4))
print(list(struct.iter_unpack("<bH", bytes([1, 2, 0, 255, 255, 255]))))
s = struct.Struct("!I2s")
print(s.size, s.format, s.pack(7, b"ok"), s.unpack(b"\x00\x00\x01\x00hi"))
for fmt, args in (("<b", (200,)), ("<H", (-1,)), ("<i", ("x",))):
    try:
        struct.pack(fmt, *args)
    except struct.error:
        print("struct.error for", fmt, args)
try:
    struct.unpack("<I", b"\x00")
except struct.error:
    print("struct.error for short data")
