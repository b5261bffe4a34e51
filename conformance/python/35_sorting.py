# Sorting: keys, reverse, stability, multi-key, itemgetter/attrgetter, min/max keys.
from operator import attrgetter, itemgetter
from collections import namedtuple

people = [("alice", 30, "NY"), ("bob", 25, "LA"), ("carol", 30, "LA"), ("dave", 25, "NY"), ("eve", 35, "SF")]
print(sorted(people, key=itemgetter(1)))  # stable: equal ages keep input order
print(sorted(people, key=itemgetter(1), reverse=True))  # reverse is stable too
print(sorted(people, key=lambda p: (p[2], -p[1], p[0])))
by_city = sorted(people, key=itemgetter(0), reverse=True)
by_city.sort(key=itemgetter(2))
print([p[0] for p in by_city])
words = ["banana", "Apple", "cherry", "apple", "Banana", "date"]
print(sorted(words), sorted(words, key=str.lower), sorted(words, key=len))
print(sorted(words, key=lambda w: (len(w), w.lower()), reverse=True))
P = namedtuple("P", "name score")
scores = [P("x", 3), P("y", 1), P("z", 3)]
print(sorted(scores, key=attrgetter("score")), max(scores, key=attrgetter("score")).name)
print(min(scores, key=attrgetter("score")), min([], default="empty"), max("abc", "abd"))
nums = [5, -3, 2, -8, 0]
nums.sort(key=abs)
print(nums, sorted(nums, reverse=True), sorted("hello"), sorted({3: "c", 1: "a"}))
print(sorted([(1, "b"), (1, "a"), (0, "z")]), sorted([3.5, 1, 2.25, -1]))
print(list(reversed(sorted(range(5)))), sorted([[2, 1], [1, 2], [1]]))
