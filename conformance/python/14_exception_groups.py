# ExceptionGroup and except* (PEP 654).
def risky():
    raise ExceptionGroup("batch failed", [
        ValueError("bad value"),
        TypeError("bad type"),
        ValueError("another value"),
        KeyError("k"),
    ])


try:
    risky()
except* ValueError as eg:
    print("values:", [str(e) for e in eg.exceptions])
except* TypeError as eg:
    print("types:", len(eg.exceptions), type(eg).__name__)
except* LookupError as eg:
    print("lookups:", [type(e).__name__ for e in eg.exceptions])

eg = ExceptionGroup("outer", [ValueError(1), ExceptionGroup("inner", [TypeError(2), ValueError(3)])])
print(str(eg), len(eg.exceptions))
matched, rest = eg.split(ValueError)
print(repr(matched.exceptions[0]), [type(e).__name__ for e in rest.exceptions[0].exceptions])
print(eg.subgroup(TypeError).exceptions[0].exceptions)

try:
    try:
        raise ExceptionGroup("mixed", [ValueError("v"), OSError("o")])
    except* ValueError:
        print("handled ValueError part")
except ExceptionGroup as leftover:
    print("leftover:", [type(e).__name__ for e in leftover.exceptions])

try:
    raise TypeError("naked")
except* TypeError as eg:
    print("naked wrapped:", type(eg).__name__, eg.exceptions)
