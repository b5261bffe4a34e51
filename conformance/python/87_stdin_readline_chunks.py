# sys.stdin.readline, read(n) and readlines mixed on the same stream.
import sys

first = sys.stdin.readline()
print(repr(first))
print(repr(sys.stdin.read(5)))
print(repr(sys.stdin.readline()))
rest = sys.stdin.readlines()
print(rest)
print(repr(sys.stdin.readline()), repr(sys.stdin.read()))
print(sys.stdin.encoding.lower().replace("-", ""), sys.stdout.encoding.lower().replace("-", ""))
