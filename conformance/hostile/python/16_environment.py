# The environment is empty and the arguments are only the script: nothing of the host leaks.
import os
import sys

print(dict(os.environ), os.getenv("HOME"), os.getenv("PATH"))
print(sys.argv[1:])
