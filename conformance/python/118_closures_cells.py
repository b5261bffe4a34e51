# Closures: cells shared between inner functions, late binding fixed by defaults, __closure__ contents.
def make_pair():
    count = 0

    def inc():
        nonlocal count
        count += 1
        return count

    def get():
        return count

    return inc, get


inc, get = make_pair()
inc()
inc()
print(get(), [c.cell_contents for c in get.__closure__], inc.__code__.co_freevars)
late = [lambda: i for i in range(3)]
early = [lambda i=i: i for i in range(3)]
print([f() for f in late], [f() for f in early])


def outer():
    x = "outer"

    def middle():
        def inner():
            return x
        return inner

    x = "rebound"
    return middle()()


print(outer())


def accumulator(total=0):
    def add(n):
        nonlocal total
        total += n
        return total
    return add


acc1, acc2 = accumulator(), accumulator(100)
print(acc1(5), acc1(5), acc2(1), acc1.__closure__ is not acc2.__closure__)


def counter_factory():
    calls = []
    return lambda x: calls.append(x) or len(calls)


c = counter_factory()
print(c("a"), c("b"), c.__closure__[0].cell_contents)
print(make_pair.__closure__, (lambda: 1).__closure__)
