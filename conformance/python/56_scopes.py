# Scoping rules: global, nested nonlocal, class-body scope, UnboundLocalError.
total = 0
value = "module"


def add_global(n):
    global total
    total += n
    return total


def outer():
    x = "outer"

    def middle():
        def inner():
            nonlocal x
            x = "changed by inner"
        inner()
        return x
    return middle(), x


def shadow():
    try:
        print(value)
        value = "local"
    except UnboundLocalError:
        print("UnboundLocalError: local assignment makes the name local")


class Config:
    value = "class"
    doubled = value * 2
    from_comprehension = [value for _ in range(1)]  # comprehensions skip the class scope


print(add_global(4), add_global(6), total, outer())
print(Config.doubled, Config.from_comprehension, value)
shadow()
