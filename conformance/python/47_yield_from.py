# yield from: delegation of values and send(), and the delegate's return value.
def inner(n):
    for i in range(n):
        received = yield i
        if received:
            print("inner got", received)
    return f"inner done {n}"


def outer():
    result = yield from inner(3)
    print("result:", result)
    yield from ["x", "y"]
    return "outer done"


g = outer()
print(next(g), g.send("hello"), next(g))
print(list(g))


def flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


print(list(flatten([1, [2, [3, [4]], 5], [[6]]])))


def countdown(n):
    while n > 0:
        yield n
        n -= 1


pipeline = (x * x for x in countdown(5) if x % 2)
print(list(pipeline), sum(countdown(100)), list(zip(countdown(3), "abc")))
