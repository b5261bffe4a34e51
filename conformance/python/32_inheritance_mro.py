# Diamond inheritance: cooperative super(), the C3 MRO, explicit super(cls, obj).
class Base:
    def __init__(self):
        self.log = ["Base"]

    def hello(self):
        return "Base.hello"


class Left(Base):
    def __init__(self):
        super().__init__()
        self.log.append("Left")

    def hello(self):
        return "Left>" + super().hello()


class Right(Base):
    def __init__(self):
        super().__init__()
        self.log.append("Right")

    def hello(self):
        return "Right>" + super().hello()


class Child(Left, Right):
    def hello(self):
        return "Child>" + super().hello()


c = Child()
print([k.__name__ for k in Child.__mro__], c.log, c.hello())
print(isinstance(c, Right), issubclass(Left, Right), super(Left, c).hello(), Right.hello(c))
try:
    class Broken(Left, Child):
        pass
except TypeError:
    print("TypeError: inconsistent MRO")
