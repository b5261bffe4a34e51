# pickle.dumps of a 100,000-deep list: the pickler recurses per level.
import pickle

nested = []
for _ in range(100_000):
    nested = [nested]
try:
    pickle.dumps(nested)
except RecursionError:
    print("pickle RecursionError")
print(pickle.loads(pickle.dumps([[1], [2, [3]]])))
