# Generators as lazy pipelines: evaluation order, early binding of the first iterable, exhaustion, state.
import inspect

trace = []


def source(n):
    for i in range(n):
        trace.append(f"produce {i}")
        yield i


def square(it):
    for x in it:
        trace.append(f"square {x}")
        yield x * x


pipeline = square(source(3))
print(trace)
print(next(pipeline), trace)
print(list(pipeline), len(trace))
try:
    next(pipeline)
except StopIteration:
    print("exhausted")
values = [1, 2, 3]
gen = (v * 10 for v in values)
values = [100]
print(list(gen))
try:
    (x for x in 5)
except TypeError:
    print("the first iterable is evaluated immediately")


def stateful():
    yield 1
    yield 2


g = stateful()
print(inspect.getgeneratorstate(g), next(g), inspect.getgeneratorstate(g))
g.close()
print(inspect.getgeneratorstate(g), inspect.isgeneratorfunction(stateful), inspect.isgenerator(g))
print(sum(x for x in range(10) if x % 2), max((len(w), w) for w in "a bb ccc".split()))
nested = ((i, j) for i in range(3) for j in range(i))
print(list(nested), list(zip(*[iter(range(6))] * 2)))
