# Structural pattern matching: class patterns, nesting, or-patterns, captures.
from dataclasses import dataclass


@dataclass
class Point:
    x: int
    y: int


@dataclass
class Circle:
    center: Point
    radius: int


def describe(shape):
    match shape:
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0, y=y):
            return f"on y-axis at {y}"
        case Point(x, y) if x == y:
            return f"diagonal point {x}"
        case Circle(Point(x=0), r) | Circle(center=Point(y=0), radius=r):
            return f"circle touching an axis centre, r={r}"
        case [Point() as p, *rest]:
            return f"list starting with {p}, {len(rest)} more"
        case bool() | None:
            return f"constant {shape}"
        case int() | float() as num:
            return f"number {num}"
        case _:
            return "unknown"


for s in [Point(0, 0), Point(0, 5), Point(3, 3), Point(1, 2), Circle(Point(0, 9), 4), Circle(Point(2, 0), 1),
          Circle(Point(1, 1), 2), [Point(1, 1), 2, 3], 7, 2.5, "hi", True, None]:
    print(describe(s))
