# contextlib: contextmanager, suppress, ExitStack (LIFO unwinding), nullcontext.
import contextlib


@contextlib.contextmanager
def tag(name):
    print(f"<{name}>")
    try:
        yield name.upper()
    except ZeroDivisionError:
        print(f"  {name} handled ZeroDivisionError")
    finally:
        print(f"</{name}>")


with tag("div") as t:
    with tag("p"):
        print("  text", t)

with tag("math"):
    1 / 0
print("after math")

with contextlib.suppress(KeyError, IndexError):
    print("before")
    [][0]
    print("never")

with contextlib.ExitStack() as stack:
    for n in ["x", "y", "z"]:
        stack.enter_context(tag(n))
    stack.callback(print, "callback runs first")
    print("stack body")

with contextlib.nullcontext("value") as v:
    print("nullcontext gave", v)
