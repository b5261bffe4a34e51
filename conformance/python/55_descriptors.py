# Descriptors with __set_name__, and attribute fallbacks via __getattr__.
class Positive:
    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, objtype=None):
        return self if obj is None else getattr(obj, self.name)

    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f"{self.name[1:]} must be positive")
        setattr(obj, self.name, value)


class Box:
    width = Positive()
    height = Positive()

    def __init__(self, width, height):
        self.width = width
        self.height = height

    def __getattr__(self, name):
        return f"<missing {name}>"


b = Box(3, 4)
print(b.width, b.height, b.depth, type(Box.width).__name__, Box.height.name, sorted(vars(b)))
try:
    Box(0, 1)
except ValueError as e:
    print(e)
b.width = 10
print(b.width * b.height, getattr(b, "color"), getattr(b, "width", None))
