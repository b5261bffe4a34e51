# copy.deepcopy of a 100,000-deep list, and comparing two of them (C recursion in list ==).
import copy

nested, other = [], []
for _ in range(100_000):
    nested, other = [nested], [other]
try:
    copy.deepcopy(nested)
except RecursionError:
    print("deepcopy RecursionError")
try:
    print(nested == other)
except RecursionError:
    print("== RecursionError")
print(copy.deepcopy([[1], {"a": (2,)}]))
