# functools: total_ordering, singledispatch (by annotation and explicit), cmp_to_key.
import functools


@functools.total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return self.cents == other.cents

    def __lt__(self, other):
        return self.cents < other.cents


print(Money(5) <= Money(5), Money(7) > Money(3), Money(1) >= Money(2), Money(2) != Money(2))
print([m.cents for m in sorted([Money(30), Money(10), Money(20)], reverse=True)])


@functools.singledispatch
def describe(obj):
    return f"object {obj!r}"


@describe.register
def _(obj: int):
    return f"int {obj}"


@describe.register(list)
@describe.register(tuple)
def _(obj):
    return f"sequence of {len(obj)}"


print(describe(3), describe([1, 2]), describe((1,)), describe("s"), describe(True), describe(2.5))
print(sorted(["bb", "a", "ccc"], key=functools.cmp_to_key(lambda x, y: len(y) - len(x))))
