# sys.exit with an integer: output printed before the exit must still appear.
import sys

print("about to exit")
try:
    sys.exit(3)
finally:
    print("finally runs before the interpreter exits")
print("never printed")
