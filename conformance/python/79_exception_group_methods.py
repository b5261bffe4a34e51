# ExceptionGroup: subgroup, split, derive, nesting and how except* rewraps what it does not handle.
eg = ExceptionGroup("batch", [
    ValueError("v1"),
    TypeError("t1"),
    ExceptionGroup("inner", [ValueError("v2"), KeyError("k1")]),
])


def show(group, depth=0):
    if group is None:
        print("  " * depth + "None")
        return
    print("  " * depth + f"{type(group).__name__}({group.message!r})")
    for e in group.exceptions:
        if isinstance(e, BaseExceptionGroup):
            show(e, depth + 1)
        else:
            print("  " * (depth + 1) + f"{type(e).__name__}: {e}")


show(eg.subgroup(ValueError))
match, rest = eg.split(lambda e: isinstance(e, (TypeError, KeyError)))
show(match)
show(rest)
show(eg.subgroup(OSError))
print(str(eg))


class Tagged(ExceptionGroup):
    def derive(self, excs):
        return Tagged(self.message + "*", excs)


show(Tagged("tagged", [ValueError(1), TypeError(2)]).subgroup(TypeError))
try:
    try:
        raise eg
    except* ValueError as handled:
        print("handled", len(handled.exceptions))
except ExceptionGroup as leftover:
    show(leftover)
print(type(BaseExceptionGroup("b", [KeyboardInterrupt()])).__name__, type(BaseExceptionGroup("e", [ValueError()])).__name__)
