# namedtuple: fields, defaults, _make/_replace/_asdict, subclassing and tuple behaviour.
from collections import namedtuple

Point = namedtuple("Point", "x y")
Point3 = namedtuple("Point3", ["x", "y", "z"], defaults=[0])
p = Point(1, y=2)
print(p, p.x + p.y, p[0], tuple(p), p == (1, 2), len(p))
print(Point._fields, Point3._field_defaults, Point3(1, 2), Point._make([5, 6]), p._replace(x=9))
print(p._asdict(), type(p._asdict()).__name__)
x, y = p
print(x, y, sorted([Point(2, 1), Point(1, 5), Point(1, 2)]))


class Vector(namedtuple("Vector", "dx dy")):
    __slots__ = ()

    @property
    def length(self):
        return (self.dx ** 2 + self.dy ** 2) ** 0.5

    def __add__(self, other):
        return Vector(self.dx + other.dx, self.dy + other.dy)


v = Vector(3, 4) + Vector(0, 0)
print(v, v.length, isinstance(v, tuple), hash(v) == hash((3, 4)))
Renamed = namedtuple("Renamed", ["ok", "def", "ok", "_x"], rename=True)
print(Renamed._fields)
try:
    p.x = 10
except AttributeError:
    print("namedtuples are immutable")
try:
    namedtuple("Bad", ["class"])
except ValueError:
    print("ValueError for a keyword field name")
