# Assignment expressions and extended (star) unpacking.
data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print(f"list is long ({n} elements)")
print([y for x in data if (y := x * 2) > 7])
print(y)

first, *middle, last = data
print(first, middle, last)
*init, tail = "abc"
print(init, tail)
head, *rest = [1]
print(head, rest)
(a, b), *others = [(1, 2), (3, 4), (5, 6)]
print(a, b, others)
a, b = b, a
print(a, b)
merged = [*data[:2], *"xy", *range(2)]
print(merged)
d = {**{"a": 1, "b": 2}, "b": 3, **{"c": 4}}
print(d)
print(*data, sep="-")
for i, (k, v) in enumerate(d.items(), start=1):
    print(i, k, v)
lines = iter(["alpha", "beta", "", "gamma"])
while line := next(lines):
    print("line", line)
