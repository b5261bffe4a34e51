# array: typed arrays with fixed item sizes, byte conversion and byte swapping.
from array import array

a = array("i", [1, 2, 3])
a.append(4)
a.extend([5, 6])
print(a, a.itemsize, a.typecode, len(a), a[1:3], a[::-1].tolist(), sum(a))
d = array("d", [1.5, -2.25])
print(d.tobytes().hex(), array("d", d.tobytes()) == d)
h = array("H", [1, 256])
h.byteswap()
print(h.tolist(), array("b", b"\x01\xff").tolist(), array("B", [255]).tobytes())
u = array("u", "héllo")
print(u.tounicode(), u.itemsize in (2, 4), array("q", [2 ** 62]).tolist())
try:
    array("b", [200])
except OverflowError:
    print("OverflowError")
try:
    a.append(1.5)
except TypeError:
    print("TypeError")
a.insert(0, 0)
a.remove(3)
print(a.pop(), a.index(4), a.count(2), a.tolist(), array("i", range(3)) < array("i", [0, 1, 5]))
