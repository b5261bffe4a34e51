# Output written before the deadline reaches the caller: the interpreter must not hold it in a
# buffer that dies with the instance (stdout is not a terminal here).
import sys

print("progress 1")
sys.stderr.write("progress on stderr\n")
while True:
    pass
