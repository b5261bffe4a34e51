# Class vs instance attributes, classmethod/staticmethod, __init_subclass__, vars().
class Shape:
    sides = 0
    registry = []

    def __init_subclass__(cls, sides=0, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.sides = sides
        Shape.registry.append(cls.__name__)

    @classmethod
    def create(cls):
        return cls()

    @staticmethod
    def kind():
        return "static"

    def describe(self):
        return f"{type(self).__name__} with {self.sides} sides"


class Triangle(Shape, sides=3):
    pass


class Square(Shape, sides=4):
    count = 0

    def __init__(self):
        Square.count += 1


t = Triangle.create()
t.sides = 5
print(Shape().describe(), Triangle().describe(), t.describe(), Triangle.sides, vars(t))
print(Shape.registry, Square.create().describe(), Square().kind(), Square.kind(), Square.count)
del t.sides
print(t.describe(), "sides" in vars(Triangle), "describe" in vars(Triangle), hasattr(t, "kind"))
