# zlib: checksums are fixed by the format; compression must round-trip (the compressed bytes may vary).
import zlib

data = ("Lorem ipsum dolor sit amet. " * 50).encode()
print(zlib.crc32(data), zlib.adler32(data), zlib.crc32(b""), zlib.crc32(b"b", zlib.crc32(b"a")) == zlib.crc32(b"ab"))
for level in (0, 1, 9):
    packed = zlib.compress(data, level)
    print(level, zlib.decompress(packed) == data, len(packed) < len(data) or level == 0)
c = zlib.compressobj(wbits=-15)
raw = c.compress(data[:500]) + c.compress(data[500:]) + c.flush()
d = zlib.decompressobj(wbits=-15)
print(d.decompress(raw) + d.flush() == data, d.eof)
print(zlib.decompress(bytes.fromhex("789ccb48cdc9c95728cf2fca4901001a0b045d")))
try:
    zlib.decompress(b"not zlib data")
except zlib.error:
    print("zlib.error")
gz = zlib.compressobj(wbits=31)
blob = gz.compress(b"gzip body") + gz.flush()
print(blob[:2].hex(), zlib.decompress(blob, wbits=31))
