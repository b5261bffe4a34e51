# Catastrophic backtracking: 2^40 paths inside the regex engine, no Python loop to interrupt.
import re

print(re.match(r"(a+)+$", "a" * 40 + "!"))
