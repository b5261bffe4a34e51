# set and frozenset: algebra, comparisons, in-place updates, hashability (printed sorted).
a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a | b), sorted(a & b), sorted(a - b), sorted(a ^ b))
print(sorted(a.union([9], (10,))), sorted(a.intersection(range(3))), a.isdisjoint({7}), {1, 2} <= a, {1, 2} < {1, 2})
c = set(a)
c |= {100}
c -= {1}
c &= {2, 3, 100}
c ^= {3, 50}
print(sorted(c))
c.discard(999)
try:
    c.remove(999)
except KeyError as e:
    print("KeyError", e)
popped = {42}.pop()
print(popped, len(set("mississippi")), sorted(set("mississippi")))
f = frozenset({"x", "y"})
d = {f: "frozen key", frozenset(): "empty"}
print(d[frozenset(["y", "x"])], sorted(f | {"z"}), type(f | {"z"}).__name__, type({"z"} | f).__name__)
try:
    {[1, 2]}
except TypeError:
    print("lists are unhashable")
print({1, 1.0, True}, {0, False, 0.0}, len({"a", "a", "b"}), set() == frozenset(), {1, 2} == {2, 1})
print(sorted({x % 3 for x in range(10)}), sorted({(i, j) for i in range(2) for j in range(2)}))
