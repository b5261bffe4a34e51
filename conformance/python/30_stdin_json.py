# Handle a JSON request read from stdin and write a JSON response.
import json
import sys

request = json.load(sys.stdin)
op = request["op"]
args = request["args"]
handlers = {
    "sum": sum,
    "max": max,
    "concat": lambda xs: "".join(map(str, xs)),
}
response = {"id": request["id"], "op": op}
if op in handlers:
    response["result"] = handlers[op](args)
else:
    response["error"] = f"unknown op {op!r}"
response["echo"] = request.get("meta", {})
json.dump(response, sys.stdout, sort_keys=True, ensure_ascii=False)
print()
print(json.dumps({"argc": len(args), "types": sorted({type(a).__name__ for a in args})}))
