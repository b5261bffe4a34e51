# functools: cached_property, partialmethod, reduce with an initial value, wraps metadata.
import functools


class Dataset:
    loads = 0

    def __init__(self, values):
        self.values = values

    @functools.cached_property
    def total(self):
        Dataset.loads += 1
        return sum(self.values)

    def scaled(self, factor, offset=0):
        return [v * factor + offset for v in self.values]

    doubled = functools.partialmethod(scaled, 2)


ds = Dataset([1, 2, 3])
print(ds.total, ds.total, Dataset.loads, "total" in vars(ds))
del ds.total
print(ds.total, Dataset.loads, ds.doubled(), ds.doubled(offset=1))
print(functools.reduce(lambda acc, x: acc + [acc[-1] + x], [1, 2, 3], [0]))
try:
    functools.reduce(max, [])
except TypeError:
    print("reduce of an empty sequence needs an initial value")
p = functools.partial(int, base=2)
print(p("1010"), p.func.__name__, p.keywords, functools.partial(p, "11")())


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@traced
def documented(x: int) -> int:
    """Return x unchanged."""
    return x


print(documented.__name__, documented.__doc__, documented.__annotations__, documented.__wrapped__(5))


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(80), fib.cache_info().hits, fib.cache_info().misses)
fib.cache_clear()
print(fib.cache_info().currsize)
