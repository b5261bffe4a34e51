# enum: Enum with aliases and methods, IntEnum, auto, Flag, iteration, lookup by value and name.
from enum import Enum, Flag, IntEnum, auto


class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3
    CRIMSON = 1  # alias of RED

    def describe(self):
        return f"{self.name.lower()}#{self.value}"


class Priority(IntEnum):
    LOW = auto()
    MEDIUM = auto()
    HIGH = auto()


class Perm(Flag):
    READ = auto()
    WRITE = auto()
    EXEC = auto()


print(Color.RED.name, Color.RED.value, Color(2).name, Color["BLUE"].value, Color.CRIMSON is Color.RED)
print([c.name for c in Color], len(Color), list(Color.__members__))
print(repr(Color.GREEN), isinstance(Color.RED, Color), Color.RED == 1, Color.RED is Color(1))
print([p.value for p in Priority], Priority.HIGH > Priority.LOW, Priority.MEDIUM + 1)
print(sorted([Priority.HIGH, Priority.LOW])[0].name, Priority(2).name, max(Priority).name)
rw = Perm.READ | Perm.WRITE
print(rw.value, Perm.READ in rw, Perm.EXEC in rw, bool(Perm.READ & Perm.EXEC), (rw ^ Perm.READ) == Perm.WRITE)
print([p.name for p in Perm], Perm.EXEC.value)
try:
    Color(9)
except ValueError:
    print("ValueError for Color(9)")
print(Color.BLUE.describe(), {Color.RED: "stop"}[Color.CRIMSON], Color.RED in Color, 1 in Color.__members__.values())
