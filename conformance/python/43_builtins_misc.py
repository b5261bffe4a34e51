# Assorted builtins: zip, enumerate, map/filter, any/all, isinstance, divmod, iter.
names = ["a", "b", "c"]
values = [1, 2, 3]
print(list(zip(names, values)), dict(zip(names, values)), list(zip(*[(1, "x"), (2, "y")])))
try:
    list(zip(names, [1], strict=True))
except ValueError:
    print("ValueError from zip(strict=True)")
print(list(enumerate(names, 1)), list(map(pow, [2, 3], [3, 2])), list(filter(None, [0, 1, "", "x", None])))
print(any([]), all([]), any(x > 2 for x in values), all(isinstance(v, int) for v in values))
print(isinstance(True, int), isinstance(1, (str, float)), issubclass(bool, int), type(1.0) is float)
print(abs(-7), divmod(17, 5), pow(2, 10), round(7.25, 1), sum([[1], [2]], []), min("bca"), max([3, 1], default=0))
print(sorted(set("mississippi")), len(range(0, 100, 7)), range(10)[2:8:3], list(range(10, 0, -3)))
print(chr(65), ord("a"), hex(255), oct(8), bin(5), int("42"), float("2.5"), str(1_000), bool(""), bool([0]))
print(repr("quote's"), repr('dq"'), ascii("café"), format(3, "03"), callable(len), callable(3))
it = iter([1, 2])
print(next(it), next(it), next(it, "done"))
sentinel_iter = iter(iter([5, 6, 0, 7]).__next__, 0)
print(list(sentinel_iter), list(reversed("abc")), slice(1, 5, 2).indices(3))
print(hash(1) == hash(1.0), 1 == 1.0 == True, id(names) == id(names), [] == [], None is None)
print(getattr(names, "count")("a"), hasattr(names, "nope"), vars(type("K", (), {"x": 1}))["x"])
print(eval("1 + 2 * 3"), (lambda *a, **k: (a, k))(1, y=2), globals()["names"] is names)
exec("z = 10 * 4")
print(z, type(None).__name__, type(...).__name__, ... is Ellipsis)
