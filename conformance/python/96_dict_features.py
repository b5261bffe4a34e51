# dict: insertion order, merging with | and |=, views as sets, setdefault/popitem/fromkeys.
d = {"b": 1, "a": 2}
d["c"] = 3
d["b"] = 10
print(d, list(d), list(reversed(d)))
print(d | {"a": 0, "z": 26}, {"z": 26} | d)
d |= [("y", 25)]
print(d)
print(d.setdefault("a", 99), d.setdefault("new", []), d.pop("c"), d.pop("missing", "default"))
print(d.popitem(), d)
print(dict.fromkeys("abc", 0), dict(zip("xy", [1, 2]), z=3), dict([(1, "one")]))
keys = {"a": 1, "b": 2}.keys()
print(sorted(keys & {"b", "c"}), sorted(keys | {"q"}), sorted(keys - {"a"}), {"x": 1}.items() <= {"x": 1, "y": 2}.items())
counts = {}
for word in "the cat and the hat and the bat".split():
    counts[word] = counts.get(word, 0) + 1
print(counts, max(counts, key=counts.get))
print({1: "int", 1.0: "float", True: "bool"}, {(1, 2): "tuple key"}[1, 2])
nested = {"outer": {"inner": [1, 2]}}
print(nested["outer"]["inner"][-1], "outer" in nested, "inner" in nested, len(nested))
try:
    for k in d:
        d["added"] = 1
except RuntimeError:
    print("RuntimeError: dict changed size during iteration")
print({k: v for k, v in sorted(d.items())} == dict(sorted(d.items())), d.get("nothing"))
