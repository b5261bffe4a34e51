# Iterate over stdin line by line, summing numbers and skipping comments.
import sys

total = 0
count = 0
for lineno, line in enumerate(sys.stdin, start=1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        print(f"{lineno}: skip {line!r}")
        continue
    name, _, value = line.partition("=")
    total += int(value)
    count += 1
    print(f"{lineno}: {name.strip()} -> {int(value)}")
print(f"count={count} total={total}")
print("eof read:", repr(sys.stdin.read()), repr(sys.stdin.readline()))
