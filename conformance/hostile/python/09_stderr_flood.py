# The same on stderr, unbuffered small writes.
import sys

line = "y" * 4096
while True:
    sys.stderr.write(line)
    sys.stderr.flush()
