# Functions are descriptors: bound methods, staticmethod/classmethod, and data vs non-data descriptor precedence.
class Greeter:
    greeting = "hello"

    def greet(self, name):
        return f"{self.greeting}, {name}"

    @staticmethod
    def shout(text):
        return text.upper()

    @classmethod
    def make(cls, greeting):
        obj = cls()
        obj.greeting = greeting
        return obj


g = Greeter()
bound = g.greet
print(bound("ann"), bound.__self__ is g, bound.__func__ is Greeter.greet, Greeter.greet(g, "bob"))
print(Greeter.__dict__["greet"].__get__(g, Greeter)("cy"), type(Greeter.__dict__["shout"]).__name__)
print(g.shout("x"), Greeter.shout("y"), Greeter.make("hi").greet("dee"), Greeter.make.__self__ is Greeter)
g.greet = lambda name: f"instance attribute for {name}"
print(g.greet("eve"), Greeter().greet("eve"))


class NonData:
    def __get__(self, obj, objtype=None):
        return "from non-data descriptor"


class Data:
    def __get__(self, obj, objtype=None):
        return "from data descriptor"

    def __set__(self, obj, value):
        obj.__dict__["d"] = "stored " + value


class Holder:
    n = NonData()
    d = Data()


h = Holder()
h.__dict__["n"] = "instance dict wins over non-data"
h.d = "x"
print(h.n, h.d, h.__dict__["d"], Holder.n)
print(bound == g.__class__.greet.__get__(g), Greeter.greet.__get__(None, Greeter) is Greeter.greet)
