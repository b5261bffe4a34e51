# json: custom encoding via default and JSONEncoder, object hooks, exact decimals, error positions.
import json
from dataclasses import asdict, dataclass
from decimal import Decimal


@dataclass
class Item:
    name: str
    price: Decimal


class Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


data = {"items": [asdict(Item("pen", Decimal("1.10")))], "tags": {"b", "a"}}
print(json.dumps(data, cls=Encoder, sort_keys=True))
print(json.dumps({"when": 1}, default=str), json.dumps([1.5, 10**20, -0.0, 1e-7, 1e300]))
try:
    json.dumps({"x": object()})
except TypeError:
    print("TypeError: not serializable")
print(json.loads('{"price": 1.10, "n": 3}', parse_float=Decimal), json.loads("[1, 2]", parse_int=str))
print(json.loads('{"a": 1, "a": 2, "b": 3}', object_pairs_hook=list))
print(json.loads('{"__point__": [1, 2]}', object_hook=lambda d: tuple(d["__point__"]) if "__point__" in d else d))
print(json.loads('[NaN, Infinity, -Infinity]'), json.dumps(float("nan")))
try:
    json.dumps(float("inf"), allow_nan=False)
except ValueError:
    print("ValueError: inf not allowed")
for bad in ('"unterminated', '[1, 2', '{"a" 1}', "\n\n  nul"):
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print(f"JSONDecodeError {e.msg!r} line {e.lineno} col {e.colno} pos {e.pos}")
print(json.dumps({"k": [1, {"n": None}]}, indent="\t", separators=(",", ": ")))
print(json.dumps({3: "int key", True: "bool key", None: "none key"}))
