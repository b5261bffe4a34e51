# 100000 nested parentheses through the parser, and a million nested lists through json.
import json

try:
    eval("(" * 100000 + ")" * 100000)
except (SyntaxError, RecursionError, MemoryError) as e:
    print("eval refused:", type(e).__name__)
json.loads("[" * 1000000)
