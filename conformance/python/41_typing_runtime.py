# typing at runtime: NamedTuple, TypedDict, annotations, Optional and X | Y unions.
from typing import NamedTuple, Optional, TypedDict


class Employee(NamedTuple):
    name: str
    dept: str = "eng"
    level: int = 1

    def promote(self):
        return self._replace(level=self.level + 1)


class Movie(TypedDict):
    title: str
    year: int


def greet(name: str, times: int = 1) -> str:
    return " ".join([f"hi {name}"] * times)


e = Employee("kim")
print(e, e.promote(), Employee._fields, Employee._field_defaults, e[0], isinstance(e, tuple))
m: Movie = {"title": "Up", "year": 2009}
print(m, type(m).__name__, sorted(Movie.__annotations__), Movie.__annotations__["year"] is int)
print(greet("bo", 2), sorted(greet.__annotations__), greet.__annotations__["return"] is str)
print(isinstance(3, int | str), isinstance(3.0, int | str), (int | None) == Optional[int])
print(Employee.__annotations__["level"] is int, Optional[int] == Optional[int])
