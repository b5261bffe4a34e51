# The recursion limit raised to a million: the interpreter's own check no longer protects the
# native stack or the heap, so the sandbox (wasm stack or memory cap) must end it.
import sys

sys.setrecursionlimit(10 ** 6)


def down(n):
    return down(n + 1) + 1


down(0)
