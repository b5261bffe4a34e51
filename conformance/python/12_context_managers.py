# Context managers: __enter__/__exit__ ordering, exception info, suppressing exceptions.
class Resource:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        print("enter", self.name)
        return self

    def __exit__(self, exc_type, exc, tb):
        print("exit", self.name, exc_type.__name__ if exc_type else None, exc)
        return exc_type is KeyError  # swallow KeyError only


with Resource("a") as a, Resource("b") as b:
    print("body", a.name, b.name)

with Resource("swallow"):
    raise KeyError("k")
print("after swallow")

try:
    with Resource("propagate"):
        raise ValueError("v")
except ValueError:
    print("caught ValueError")

try:
    with Resource("outer"), Resource("inner"):
        raise KeyError("only inner sees it")
finally:
    print("outer block done")


def early_return():
    with Resource("fn"):
        return "returned"


print(early_return())
