# Decorators: plain, parametrised, stacked, functools.wraps and __wrapped__.
import functools

calls = []


def trace(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        calls.append(func.__name__)
        return func(*args, **kwargs)
    return wrapper


def repeat(times):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args):
            return [func(*args) for _ in range(times)]
        return wrapper
    return decorator


@trace
@repeat(3)
def shout(word):
    """Return the word in capitals."""
    return word.upper()


print(shout("hi"), shout("yo"), calls)
print(shout.__name__, shout.__doc__, shout.__wrapped__("raw"), shout.__wrapped__.__wrapped__("raw"))
