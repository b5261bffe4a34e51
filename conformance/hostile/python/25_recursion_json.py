# Nesting the json module's C (or Rust) parser and encoder recurse on: 10,000 and 100,000 levels.
import json

for depth in (10_000, 100_000):
    try:
        json.loads("[" * depth + "]" * depth)
    except RecursionError:
        print("json.loads", depth, "RecursionError")
nested = []
for _ in range(100_000):
    nested = [nested]
try:
    json.dumps(nested)
except RecursionError:
    print("json.dumps RecursionError")
print(json.loads("[" * 50 + "]" * 50) == json.loads(json.dumps(json.loads("[" * 50 + "]" * 50))))
