# Closures: independent counters with nonlocal, late binding, function factories.
def make_counter(start=0):
    count = start

    def increment(step=1):
        nonlocal count
        count += step
        return count

    def reset():
        nonlocal count
        count = start

    return increment, reset


inc, reset = make_counter(10)
print(inc(), inc(), inc(5))
reset()
print(inc())
other, _ = make_counter()
print(other(), inc(), other())

late = [lambda: i for i in range(3)]
early = [lambda i=i: i for i in range(3)]
print([f() for f in late], [f() for f in early])


def compose(*fns):
    def composed(x):
        for f in reversed(fns):
            x = f(x)
        return x
    return composed


print(compose(str.upper, lambda s: s + "!", str.strip)("  hi  "))
adders = {n: (lambda x, n=n: x + n) for n in (1, 10)}
print(adders[1](5), adders[10](5), inc.__code__.co_freevars, [c.cell_contents for c in inc.__closure__])
