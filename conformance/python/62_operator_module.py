# operator: function forms of operators, itemgetter/attrgetter/methodcaller, in-place forms.
import operator
from functools import reduce

print(operator.add(2, 3), operator.mul("ab", 3), operator.truediv(7, 2), operator.floordiv(-7, 2))
print(operator.mod(-7, 3), operator.pow(2, 10), operator.neg(5), operator.not_(0), operator.truth([]))
print(operator.and_(12, 10), operator.or_(12, 10), operator.xor(12, 10), operator.invert(0), operator.lshift(1, 5))
print(operator.lt(1, 2), operator.ge("b", "a"), operator.eq([1], [1]), operator.is_(None, None))
print(operator.contains("team", "ea"), operator.countOf([1, 2, 1, 1], 1), operator.indexOf("hello", "l"))
print(operator.concat([1], [2, 3]), operator.getitem({"k": 9}, "k"), operator.index(7))
data = [1, 2, 3]
operator.setitem(data, 0, 10)
operator.delitem(data, 1)
print(data)
rows = [{"n": "b", "v": 2}, {"n": "a", "v": 2}, {"n": "c", "v": 1}]
print(sorted(rows, key=operator.itemgetter("v", "n")))
print(operator.itemgetter(1, -1)("abcdef"), operator.itemgetter(slice(1, 3))([5, 6, 7, 8]))


class P:
    def __init__(self, name, inner=None):
        self.name, self.inner = name, inner

    def greet(self, greeting, punct="!"):
        return f"{greeting}, {self.name}{punct}"


p = P("outer", P("inner"))
print(operator.attrgetter("name", "inner.name")(p))
print(operator.methodcaller("greet", "Hi", punct="?")(p))
print(reduce(operator.mul, range(1, 8)), reduce(operator.add, ["x", "y", "z"]))
x = [1]
y = operator.iadd(x, [2])
print(x, y is x, operator.iadd((1,), (2,)))
print(operator.length_hint(iter(range(5))), operator.length_hint(object(), 3))
