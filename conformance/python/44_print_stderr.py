# print() options and writing to stderr: only stdout is compared exactly.
import sys

print("a", "b", "c")
print("a", "b", "c", sep="")
print("x", "y", sep=", ", end=" <end>\n")
print()
print("no newline", end="")
print(" -> continued")
print(*[1, 2, 3], sep="\n")
print("warning: this goes to stderr", file=sys.stderr)
sys.stdout.write("written directly\n")
n = sys.stdout.write("counted\n")
print(n)
print(None, True, 1.0, [None], {"k": (1,)}, sep=" | ")
sys.stderr.write("second stderr line\n")
print("flushed", flush=True)
print("tab\there", "back\\slash", "quote\"s", 'single\'s')
