# Positional-only, keyword-only, defaults, *args and **kwargs.
def f(a, b, /, c, d=4, *, e, f=6):
    return (a, b, c, d, e, f)


print(f(1, 2, 3, e=5))
print(f(1, 2, c=3, d=40, e=5, f=60))
for call in [lambda: f(a=1, b=2, c=3, e=5), lambda: f(1, 2, 3, 4, 5), lambda: f(1, 2, 3)]:
    try:
        call()
    except TypeError:
        print("TypeError")


def collect(*args, sep=", ", **kwargs):
    return sep.join(map(str, args)) + " | " + sep.join(f"{k}={v}" for k, v in kwargs.items())


print(collect(1, 2, 3, x=1, y="two"))
print(collect(sep=";", z=0))
args, kwargs = (10, 20), {"e": 30}
print(f(*args, 0, **kwargs))


def pos_only_kw(name, /, **kwargs):
    return name, kwargs


print(pos_only_kw("positional", name="keyword"))


def defaults(x, acc=None):
    acc = [] if acc is None else acc
    acc.append(x)
    return acc


print(defaults(1), defaults(2))
print(f.__defaults__, f.__kwdefaults__, f.__code__.co_posonlyargcount, f.__code__.co_kwonlyargcount)
