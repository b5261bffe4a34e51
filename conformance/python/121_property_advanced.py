# property: setters and deleters, validation, overriding in subclasses, and property objects themselves.
class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._c = value

    @celsius.deleter
    def celsius(self):
        print("deleting")
        del self._c

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32


t = Temperature(100)
print(t.celsius, t.fahrenheit)
t.celsius = -40
print(t.fahrenheit)
try:
    t.celsius = -300
except ValueError as e:
    print("ValueError:", e)
try:
    t.fahrenheit = 0
except AttributeError:
    print("AttributeError: read-only property")
del t.celsius
print(hasattr(t, "_c"))


class Kelvin(Temperature):
    @Temperature.celsius.getter
    def celsius(self):
        return self._c + 273.15


k = Kelvin(0)
print(k.celsius, type(Temperature.celsius).__name__, Temperature.celsius.fset.__name__)
area = property(lambda self: self.w * self.h, doc="computed area")


class Rect:
    area = area

    def __init__(self, w, h):
        self.w, self.h = w, h


print(Rect(2, 3).area, Rect.area.__doc__, Temperature.fahrenheit.fset is None)
