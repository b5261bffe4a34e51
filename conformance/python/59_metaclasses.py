# Metaclasses: __prepare__, __new__ with a registry, __call__ controlling instantiation.
registry = {}


class Ordered(dict):
    def __init__(self):
        super().__init__()
        self.order = []

    def __setitem__(self, key, value):
        if not key.startswith("__"):
            self.order.append(key)
        super().__setitem__(key, value)


class Meta(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kwargs):
        print("prepare", name, sorted(kwargs))
        return Ordered()

    def __new__(mcls, name, bases, namespace, **kwargs):
        cls = super().__new__(mcls, name, bases, dict(namespace))
        cls.field_order = namespace.order
        cls.tag = kwargs.get("tag", "none")
        registry[name] = cls
        return cls

    def __call__(cls, *args, **kwargs):
        print("creating", cls.__name__, args)
        instance = super().__call__(*args, **kwargs)
        instance.created_by_meta = True
        return instance


class Base(metaclass=Meta, tag="base"):
    zeta = 1
    alpha = 2

    def method(self):
        return "m"


class Child(Base, tag="child"):
    def __init__(self, x):
        self.x = x

    beta = 3


print(Base.field_order, Base.tag)
print(Child.field_order, Child.tag)
print(sorted(registry))
c = Child(5)
print(c.x, c.created_by_meta, type(Child).__name__, isinstance(Child, Meta))
print(type(type(c)) is Meta, Meta.__mro__[1].__name__)

Dynamic = type("Dynamic", (object,), {"answer": 42, "get": lambda self: self.answer})
print(Dynamic.__name__, Dynamic().get(), Dynamic.__bases__[0].__name__)
