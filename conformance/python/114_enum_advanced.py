# enum: Flag combinations, IntFlag, StrEnum, unique, _missing_, functional API, members and aliases.
import enum


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1


rw = Perm.R | Perm.W
print(rw.value, Perm.R in rw, Perm.X in rw, (rw & Perm.W).name, bool(Perm.R & Perm.X), [m.name for m in rw])
print(Perm(7).value, Perm(0).value, bool(Perm(0)), Perm["W"].value, len(Perm))


class Mode(enum.IntFlag):
    A = 1
    B = 2


print(int(Mode.A | Mode.B), Mode.A | 4 == 5, isinstance(Mode.A, int), Mode.B + 1)


class Color(enum.StrEnum):
    RED = enum.auto()
    GREEN = "green-ish"


print(Color.RED.value, Color.RED == "red", Color.GREEN.upper(), f"{Color.RED}", str(Color.GREEN))


class Shape(enum.Enum):
    CIRCLE = 1
    ROUND = 1
    SQUARE = 2

    @classmethod
    def _missing_(cls, value):
        return cls.SQUARE if value == "box" else None


print(Shape.ROUND is Shape.CIRCLE, Shape.ROUND.name, [m.name for m in Shape], sorted(Shape.__members__))
print(Shape("box").name, Shape(2).name)
try:
    Shape(99)
except ValueError:
    print("ValueError: 99 is not a Shape")
try:
    @enum.unique
    class Dup(enum.Enum):
        A = 1
        B = 1
except ValueError:
    print("ValueError from unique")
Animal = enum.Enum("Animal", "CAT DOG")
print([(a.name, a.value) for a in Animal], Animal.DOG.value, Animal["CAT"].name)


class Planet(enum.Enum):
    EARTH = (5.97e24, 6.371e6)

    def __init__(self, mass, radius):
        self.mass, self.radius = mass, radius


print(Planet.EARTH.radius, Planet.EARTH.value, type(Planet.EARTH).__name__, Planet.EARTH.name)
