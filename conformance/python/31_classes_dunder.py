# Dunder methods: repr/str/format, arithmetic with reflected operands, equality and hashing.
class Vector:
    def __init__(self, *components):
        self.c = tuple(components)

    def __repr__(self):
        return f"Vector{self.c}"

    def __str__(self):
        return "<" + ", ".join(map(str, self.c)) + ">"

    def __format__(self, spec):
        return "<" + ", ".join(format(x, spec) for x in self.c) + ">"

    def __add__(self, other):
        if not isinstance(other, Vector):
            return NotImplemented
        return Vector(*(a + b for a, b in zip(self.c, other.c)))

    def __mul__(self, k):
        return Vector(*(a * k for a in self.c))

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, Vector) and self.c == other.c

    def __hash__(self):
        return hash(self.c)


v, w = Vector(1, 2, 3), Vector(4, 5, 6)
print(repr(v + w), str(3 * v), v * 2, f"{Vector(1.5, 2):.2f}", [v])
print(v == Vector(1, 2, 3), v != w, v == (1, 2, 3), {v: "a", Vector(1, 2, 3): "b"})
try:
    v + 1
except TypeError:
    print("TypeError: unsupported operand")
