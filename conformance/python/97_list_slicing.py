# Lists and slices: assignment, deletion, steps, slice objects, copying and in-place operators.
a = list(range(10))
print(a[2:5], a[:3], a[-3:], a[::3], a[::-1], a[7:2:-2], a[100:], a[-100:2])
b = a.copy()
b[2:5] = ["x"]
print(b)
b[1:1] = [0.5, 0.75]
print(b)
b[::2] = "ABCDE"
print(b)
del b[::3]
print(b)
try:
    b[::2] = [1]
except ValueError as e:
    print("ValueError:", e)
s = slice(1, 8, 2)
print(a[s], s.indices(5), slice(None, None, -1).indices(4), s.start, s.stop, s.step)
m = [[0] * 2] * 2
m[0][0] = 1
print(m, [[0] * 2 for _ in range(2)])
c = [3, 1, 2]
c += (4, 5)
c *= 2
print(c, c.index(2), c.count(3), c.index(2, 3))
c.insert(-1, "ins")
c.extend(range(2))
c.remove(3)
print(c, c.pop(), c.pop(0), len(c))
print([1, 2] < [1, 3], [1, 2] < [1, 2, 0], [] == [], [[]] * 0, list("ab") + list((1,)))
e = [5, 3, 9]
e.reverse()
e.sort(reverse=True)
print(e, sorted(e) is e)
e.clear()
print(e)
