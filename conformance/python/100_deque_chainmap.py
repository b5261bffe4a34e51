# collections.deque (rotation, bounded length) and ChainMap (layered lookups).
from collections import ChainMap, OrderedDict, deque

d = deque([1, 2, 3, 4, 5])
d.rotate(2)
print(list(d))
print(d.popleft(), d.pop(), list(d))
d.rotate(-1)
d.appendleft(0)
d.extendleft([-1, -2])
print(list(d), d[0], d[-1], d.index(2), d.count(1))
window = deque(maxlen=3)
for i in range(6):
    window.append(i)
print(window, window.maxlen)
window.extend("ab")
print(list(window))
defaults = {"color": "red", "size": "M"}
user = {"size": "L"}
cm = ChainMap(user, defaults)
print(cm["color"], cm["size"], len(cm), sorted(cm))
cm["color"] = "blue"
print(user, defaults)
child = cm.new_child({"size": "XS"})
print(child["size"], child.parents["size"], child.maps[0])
od = OrderedDict.fromkeys("abcde")
od.move_to_end("b")
od.move_to_end("e", last=False)
print(list(od), od.popitem(last=False), od.popitem())
print(OrderedDict(a=1, b=2) == OrderedDict(b=2, a=1), dict(a=1, b=2) == OrderedDict(b=2, a=1))
