# collections: Counter, deque, defaultdict, OrderedDict, namedtuple, ChainMap.
from collections import ChainMap, Counter, OrderedDict, defaultdict, deque, namedtuple

words = "the cat and the hat and the bat sat".split()
counts = Counter(words)
print(counts.most_common(3), counts["the"], counts["missing"], sorted(counts.elements())[:4])  # ties: first seen
c2 = Counter("abracadabra")
print(c2.most_common(), (c2 - Counter("aab")).most_common(2), (c2 & Counter("aaz"))["a"])
c2.update("zz")
c2.subtract({"a": 10})
print(sorted(c2.items()), +c2 == Counter({"b": 2, "c": 1, "d": 1, "r": 2, "z": 2}))

dq = deque([1, 2, 3], maxlen=4)
dq.append(4)
dq.append(5)
dq.appendleft(0)
print(dq, dq.maxlen)
dq.rotate(2)
print(list(dq), dq.popleft(), dq.pop(), dq)

groups = defaultdict(list)
for w in words:
    groups[w[0]].append(w)
print(dict(groups), groups.default_factory is list)
nested = defaultdict(lambda: defaultdict(int))
nested["x"]["y"] += 2
print({k: dict(v) for k, v in nested.items()})

od = OrderedDict.fromkeys("abcde")
od.move_to_end("b")
od.move_to_end("e", last=False)
print(list(od), od.popitem(), od.popitem(last=False), list(od))

Point = namedtuple("Point", ["x", "y"], defaults=[0])
p = Point(3)
print(p, p._replace(y=9), p._asdict(), Point._fields, p.x + p[1])
x, y = Point(5, 6)
print(x, y, Point._make([7, 8]), Point(1, 2) == (1, 2))
cm = ChainMap({"a": 1}, {"a": 2, "b": 3})
print(cm["a"], cm["b"], sorted(cm), len(cm))
