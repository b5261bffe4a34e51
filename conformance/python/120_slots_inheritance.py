# __slots__: no __dict__, inherited slots, adding __dict__ back, and conflicts with class attributes.
class Base:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x


class Child(Base):
    __slots__ = ("y",)


class Loose(Base):
    pass


c = Child(1)
c.y = 2
print(c.x, c.y, hasattr(c, "__dict__"), Child.__slots__, sorted(s for cls in Child.__mro__ for s in getattr(cls, "__slots__", ())))
try:
    c.z = 3
except AttributeError:
    print("AttributeError: no slot z")
loose = Loose(5)
loose.anything = "ok"
print(loose.__dict__, loose.x)
try:
    Child(0).y
except AttributeError:
    print("AttributeError: unset slot")
del c.x
print(hasattr(c, "x"))
try:
    class Conflict:
        __slots__ = ("v",)
        v = 1
except ValueError:
    print("ValueError: slot conflicts with class variable")


class WithDict:
    __slots__ = ("a", "__dict__")


w = WithDict()
w.a, w.b = 1, 2
print(w.a, w.__dict__, type(Base.__dict__["x"]).__name__)
