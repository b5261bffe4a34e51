# dataclasses: slots, frozen hashing, ordering, InitVar, field metadata, inheritance and match_args.
import dataclasses
from dataclasses import InitVar, dataclass, field


@dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0
    label: str = field(default="", compare=False)


vs = sorted([Version(1, 2, "b"), Version(1, 0), Version(0, 9, "a")])
print(vs, Version(1, 2, "x") == Version(1, 2, "y"), hash(Version(1)) == hash(Version(1, 0, "z")))
try:
    vs[0].major = 5
except dataclasses.FrozenInstanceError:
    print("FrozenInstanceError")


@dataclass(slots=True)
class Point:
    x: float
    y: float = 0.0


p = Point(1.5)
print(p, Point.__slots__, hasattr(p, "__dict__"), Point.__match_args__)


@dataclass
class Account:
    owner: str
    seed: InitVar[int]
    balance: int = field(init=False)
    history: list = field(default_factory=list, repr=False, metadata={"doc": "events"})

    def __post_init__(self, seed):
        self.balance = seed * 10


a = Account("ann", 3)
print(a, [f.name for f in dataclasses.fields(a)], dataclasses.fields(a)[-1].metadata["doc"])


@dataclass
class Base:
    a: int
    b: int = 2


@dataclass
class Derived(Base):
    c: int = 3
    a: int = 10


print(Derived(), Derived(1, 2, 3), dataclasses.astuple(Derived()), dataclasses.is_dataclass(Derived))
match Derived(a=7):
    case Derived(7, b):
        print("matched positional a=7, b =", b)
Made = dataclasses.make_dataclass("Made", [("q", int), ("r", str, field(default="r"))])
print(Made(1), dataclasses.replace(Made(1), r="changed"))
try:
    @dataclass
    class Broken:
        items: list = []
except ValueError:
    print("ValueError: mutable default")
