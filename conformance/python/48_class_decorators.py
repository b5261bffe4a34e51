# Class decorators, decorators implemented as classes, and method decorators.
import functools

registry = {}


def register(cls):
    registry[cls.__name__.lower()] = cls
    cls.registered = True
    return cls


class CountCalls:
    def __init__(self, func):
        functools.update_wrapper(self, func)
        self.func = func
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.func(*args, **kwargs)


@register
class Plugin:
    @CountCalls
    def helper(x):
        return x + 1

    @staticmethod
    @CountCalls
    def static_helper(x):
        return x * 2


print(sorted(registry), Plugin.registered, registry["plugin"] is Plugin)
print(Plugin.helper(1), Plugin.helper(2), Plugin.helper.calls, Plugin.helper.__name__)
print(Plugin().static_helper(5), Plugin.static_helper.calls, type(Plugin.__dict__["helper"]).__name__)
