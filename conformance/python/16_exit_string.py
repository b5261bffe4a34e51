# sys.exit with a string: the message goes to stderr and the exit code is 1.
import sys

print("validating input")
sys.stdout.flush()
sys.exit("fatal: configuration missing")
