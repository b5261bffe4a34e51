# Reading stdin as bytes through sys.stdin.buffer: exact bytes, UTF-8 decoded by hand.
import sys

data = sys.stdin.buffer.read()
print(len(data), data[:5], data.count(b"\n"))
text = data.decode("utf-8")
print(len(text), [hex(ord(c)) for c in text if ord(c) > 127])
print(data.split(b"\n")[1].hex(" "))
print(sys.stdin.buffer.read() == b"", type(sys.stdin.buffer).__name__ in ("BufferedReader", "FileIO", "BufferedRWPair") or "other")
