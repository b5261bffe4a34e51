# Read all of stdin at once and report simple statistics.
import sys

text = sys.stdin.read()
lines = text.splitlines()
words = text.split()
print(f"chars={len(text)} lines={len(lines)} words={len(words)}")
print("longest word:", max(words, key=len))
print("first line:", lines[0])
print("last line:", lines[-1])
print("ends with newline:", text.endswith("\n"))
print("upper:", " / ".join(text.upper().splitlines()))
