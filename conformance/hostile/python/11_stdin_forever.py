# Reads stdin in a loop after it is exhausted: stdin is a file, reads return "" at once and
# never block, so the deadline ends it.
import sys

total = 0
while True:
    total += len(sys.stdin.read())
