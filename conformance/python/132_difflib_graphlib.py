# difflib (diffs and similarity) and graphlib (topological order).
import difflib
from graphlib import CycleError, TopologicalSorter

before = ["one", "two", "three", "four"]
after = ["one", "2", "three", "four", "five"]
print("".join(difflib.unified_diff([l + "\n" for l in before], [l + "\n" for l in after], "a.txt", "b.txt", n=1)), end="")
print(list(difflib.ndiff(["abc"], ["abd"])))
sm = difflib.SequenceMatcher(None, "kitten", "sitting")
print(round(sm.ratio(), 6), sm.get_opcodes())
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
ts = TopologicalSorter({"deploy": {"test", "build"}, "test": {"build"}, "build": {"fetch"}})
print(list(ts.static_order()))
ts = TopologicalSorter()
ts.add("b", "a")
ts.add("c", "a")
ts.prepare()
ready = ts.get_ready()
print(ready)
ts.done(*ready)
print(sorted(ts.get_ready()), ts.is_active())
try:
    list(TopologicalSorter({"x": {"y"}, "y": {"x"}}).static_order())
except CycleError as e:
    print("CycleError", sorted(set(e.args[1])))
