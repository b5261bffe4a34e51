# atexit handlers run last-registered first after the script ends; sys.exit(True) exits 1.
import atexit
import sys


def goodbye(name, punct="."):
    print(f"goodbye {name}{punct}")


atexit.register(goodbye, "first")
atexit.register(goodbye, "second", punct="!")


@atexit.register
def flush_report():
    print("report flushed")


atexit.register(goodbye, "removed")
atexit.unregister(goodbye)
atexit.register(goodbye, "third")
print("main done")
sys.exit(True)
