# Recursion: moderate depth works, unbounded recursion raises RecursionError, which can be caught.
import sys

print(sys.getrecursionlimit())


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


print(depth(300))


def forever(n):
    return forever(n + 1)


try:
    forever(0)
except RecursionError:
    print("RecursionError caught")
print(depth(200), isinstance(RecursionError(), RuntimeError))


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


print(ackermann(2, 3))
