# Dataclasses: generated __init__/__repr__/__eq__, ordering, frozen instances, replace.
import dataclasses
from dataclasses import dataclass, field


@dataclass(order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class Coord:
    lat: float
    lon: float


versions = [Version(1, 2), Version(1, 0, 5), Version(0, 9, label="beta"), Version(1, 2, 0, "rc")]
print(sorted(versions))
print(Version(1, 2) == Version(1, 2, 0, "x"), Version(2) > Version(1, 99), Version(1) <= Version(1, 0, 0))
print(max(versions), Version(3, 1) != Version(3, 1, 1))
c = Coord(1.5, -2.25)
print(c, c == Coord(1.5, -2.25), hash(c) == hash(Coord(1.5, -2.25)))
try:
    c.lat = 0.0
except dataclasses.FrozenInstanceError:
    print("frozen: cannot assign")
print(dataclasses.replace(c, lon=0.0), c, {c: "here"}[Coord(1.5, -2.25)])
print(dataclasses.is_dataclass(c), dataclasses.is_dataclass(1), Version.__eq__ is not object.__eq__)
