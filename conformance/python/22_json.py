# json: dumps options, loads, non-ASCII with ensure_ascii both ways, errors.
import json

doc = {"name": "Zoë", "city": "Zürich", "tags": ["α", "β"], "n": 3, "pi": 3.25,
       "ok": True, "none": None, "nested": {"b": [1, 2, {"c": []}], "a": {}}}
print(json.dumps(doc))
print(json.dumps(doc, ensure_ascii=False))
print(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False))
print(json.dumps([1, {"x": 2}], separators=(",", ":")), json.dumps("emoji 😀"))
print(json.dumps({"b": 1, "a": [1, 2]}, indent="\t", sort_keys=True))
print(json.dumps({1: "int key", "tuple": (1, 2)}), json.dumps(1e100), json.dumps(0.1))
parsed = json.loads('{"a": [1, 2.5, "\\u00e9\\ud83d\\ude00", null, true], "b": {"c": -0.0}}')
print(parsed, type(parsed["a"][1]).__name__)
print(json.loads('"caf\u00e9"'), json.loads("123456789012345678901234567890"))
print(json.loads("[1, 2]", parse_float=str), json.loads('{"x": 1.50}', parse_float=str))
pairs = json.loads('{"z": 1, "a": 2, "z": 3}', object_pairs_hook=list)
print(pairs)
for bad in ['{"a": }', "[1, 2", "nan"]:
    try:
        json.loads(bad)
    except json.JSONDecodeError as e:
        print("JSONDecodeError at pos", e.pos)
print(json.dumps(float("inf")), json.loads("NaN") != json.loads("NaN"))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


print(json.dumps(Point(1, 2), default=lambda o: {"x": o.x, "y": o.y}))
