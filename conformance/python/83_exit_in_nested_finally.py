# sys.exit deep in the call stack: every finally block and context manager exit runs on the way out.
import contextlib
import sys


@contextlib.contextmanager
def resource(name):
    print("open", name)
    try:
        yield name
    finally:
        print("close", name)


def inner():
    try:
        print("inner exiting")
        sys.exit(3)
    finally:
        print("inner finally")


def outer():
    with resource("db"), resource("file"):
        try:
            inner()
        except Exception:
            print("not reached: SystemExit is not an Exception")
        finally:
            print("outer finally")


outer()
print("not reached")
