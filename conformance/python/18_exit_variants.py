# SystemExit variants: caught SystemExit, sys.exit(None), raise SystemExit(n).
import sys

try:
    sys.exit(7)
except SystemExit as e:
    print("caught SystemExit with code", e.code)
try:
    sys.exit()
except SystemExit as e:
    print("no-arg code", e.code)
try:
    sys.exit("text")
except SystemExit as e:
    print("string code", repr(e.code))
print("raising SystemExit(42)")
raise SystemExit(42)
