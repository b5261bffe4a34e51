# Dataclass fields: default_factory, init=False, __post_init__, kw_only, asdict/astuple, fields().
import dataclasses
from dataclasses import KW_ONLY, dataclass, field


@dataclass
class Bag:
    name: str
    items: list = field(default_factory=list)
    count: int = field(init=False, default=0)
    secret: str = field(default="hidden", repr=False)

    def __post_init__(self):
        self.count = len(self.items)


@dataclass
class Options:
    path: str
    _: KW_ONLY
    verbose: bool = False
    retries: int = 3


a, b = Bag("a"), Bag("b", ["x", "y"])
a.items.append(1)
print(a, b, Bag("c").items, a.secret)
print(dataclasses.asdict(b), dataclasses.astuple(b))
print([(f.name, f.init, f.repr) for f in dataclasses.fields(Bag)])
print(Options("/tmp"), Options("/x", verbose=True, retries=0))
try:
    Options("/x", True)
except TypeError:
    print("TypeError: verbose is keyword-only")
nested = {"bag": dataclasses.asdict(Bag("n", [Bag("inner")]))}
print(nested)
