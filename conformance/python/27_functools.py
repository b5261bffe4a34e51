# functools: lru_cache statistics and eviction, cache, reduce, partial.
import functools


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(80), fib.cache_info())
fib.cache_clear()
print(fib.cache_info().currsize)


@functools.lru_cache(maxsize=2)
def square(x):
    print("computing", x)
    return x * x


print([square(v) for v in [1, 2, 1, 3, 1, 2]], square.cache_info())


@functools.cache
def tribonacci(n):
    return n if n < 3 else tribonacci(n - 1) + tribonacci(n - 2) + tribonacci(n - 3)


print(tribonacci(60), functools.reduce(lambda acc, x: acc * x, range(1, 6)), functools.reduce(max, [3, 9, 2], 0))
base2 = functools.partial(int, base=2)
print(base2("1011"), base2.keywords, base2.func is int, functools.partial(pow, 2)(10))
greet = functools.partial("{greeting}, {name}{punct}".format, greeting="Hello", punct="!")
print(greet(name="Ada"), greet(name="Bob", punct="?"))
