# traceback: the frames of a caught exception (names and relative lines) and exception-only text.
import sys
import traceback


def level_one():
    level_two()


def level_two():
    raise LookupError("deep problem")


try:
    level_one()
except LookupError as e:
    frames = traceback.extract_tb(e.__traceback__)
    print([f.name for f in frames])
    base = frames[0].lineno
    print([f.lineno - base for f in frames], [f.line for f in frames])
    print(traceback.format_exception_only(type(e), e))
    info = sys.exc_info()
    print(info[0].__name__, info[1] is e)
    text = traceback.format_exc()
    print(text.splitlines()[0], "|", text.splitlines()[-1])

try:
    try:
        {}["missing"]
    except KeyError as inner:
        raise RuntimeError("wrapped") from inner
except RuntimeError as outer:
    lines = traceback.format_exception(outer)
    print(sum("direct cause" in line for line in lines), lines[-1], end="")
print(sys.exc_info() == (None, None, None))
