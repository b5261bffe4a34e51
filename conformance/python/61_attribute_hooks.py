# Attribute hooks: __getattribute__, __getattr__ fallback, __setattr__, __delattr__, __dir__.
class Recorder:
    def __init__(self):
        object.__setattr__(self, "log", [])
        self.visible = 1

    def __getattribute__(self, name):
        if name.startswith("secret"):
            raise AttributeError(f"{name} is hidden")
        return object.__getattribute__(self, name)

    def __getattr__(self, name):
        self.log.append(("missing", name))
        return f"<default {name}>"

    def __setattr__(self, name, value):
        self.log.append(("set", name, value))
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self.log.append(("del", name))
        object.__delattr__(self, name)

    def __dir__(self):
        return ["visible", "zzz", "aaa"]


r = Recorder()
r.count = 3
print(r.count, r.visible, r.unknown)
print(r.secret_key)
del r.count
print(hasattr(r, "count"), getattr(r, "other", "unused"))
print(r.log)
print(dir(r))


class Frozen:
    __slots__ = ("a",)

    def __init__(self, a):
        object.__setattr__(self, "a", a)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot set {name}")


f = Frozen(1)
try:
    f.a = 2
except AttributeError as e:
    print("AttributeError:", e)
print(f.a)
