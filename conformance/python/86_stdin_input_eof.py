# input() reads one line at a time without the newline; EOFError marks the end of stdin.
count = 0
total = 0
while True:
    try:
        line = input()
    except EOFError:
        print("EOF after", count, "lines")
        break
    count += 1
    if not line.strip():
        print(f"line {count}: blank")
        continue
    name, _, value = line.partition("=")
    total += int(value)
    print(f"line {count}: {name.strip()!r} -> {int(value)}")
print("total", total)
try:
    input()
except EOFError:
    print("still EOF")
