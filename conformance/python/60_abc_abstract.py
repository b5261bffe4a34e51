# abc: abstract methods and properties block instantiation; register() makes virtual subclasses.
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, MutableSequence, Sized


class Shape(ABC):
    @abstractmethod
    def area(self): ...

    @property
    @abstractmethod
    def name(self): ...

    def describe(self):
        return f"{self.name} with area {self.area()}"


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2

    @property
    def name(self):
        return "square"


class Half(Shape):
    def area(self):
        return 0


for cls in (Shape, Half, Square):
    try:
        obj = cls(3) if cls is Square else cls()
        print(cls.__name__, "ok:", obj.describe())
    except TypeError:
        print(cls.__name__, "TypeError", sorted(cls.__abstractmethods__))


class Plain:
    def __len__(self):
        return 7


Shape.register(Plain)
print(issubclass(Plain, Shape), isinstance(Plain(), Shape), isinstance(Plain(), Sized))
print(isinstance([], MutableSequence), isinstance((), MutableSequence), isinstance({}, Mapping))
print(isinstance("abc", Iterable), isinstance(5, Iterable))
