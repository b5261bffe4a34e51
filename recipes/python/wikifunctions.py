"""The Wikifunctions executor contract, for Python (wasmimage/wikifunctions.py, docs/evaluator.md).

Reads one request on stdin, a JSON object followed by a blank line:
  {"codeString": "<Python>", "functionName": "Z1000", "functionArguments": {"Z1000K1": <ZObject>, ...}}
executes the code, calls the function with the arguments converted to Python values as
keyword arguments (Z1000(Z1000K1=..., ...)) and writes exactly one line, a Z22 in normal
form, to stdout:
  success  Z22K1 = the result as a ZObject, Z22K2 = void (Z24), or a map holding executorDebugLogs
  failure  Z22K1 = void, Z22K2 = a Z883 map (Z6 -> Z1) whose "errors" entry is a Z5 with the message

ZObject -> Python, by type: Z6 -> str; Z21 -> None; Z40 -> bool; Z881 typed list -> list;
Z882 pair -> ZPair (.K1, .K2); Z883 map -> dict; anything else (references included) -> a
ZObject that keeps its type and keys and converts back unchanged. Canonical and normal forms
are both accepted. Python -> ZObject: the same table backwards (a tuple is a list too); a
list's element type, a pair's and a map's member types are those it came in with while its
values still fit them, else the common type of the values, or Z1 when they differ.
Anything else (numbers, functions, ...) is an error naming what could not be converted.

What the code prints (print, sys.stdout, sys.stderr, Wikifunctions.Debug) is collected
into executorDebugLogs instead of stdout (at most MAX_LOG_CHARS, then a truncation notice).
Running out of memory ends the executor with OUT_OF_MEMORY_EXIT_CODE and no response: the
host reports the memory limit. Only the standard library's json, os and sys are used, so
any Python 3 runs it.
"""

import os
import sys
from json import dumps, loads  # bound before user code runs: it may change the json module

MAX_LOG_CHARS = 64 * 1024
# Out of memory means the sandbox's cap: the executor then ends with this code and writes
# nothing, so the host reports the memory limit (wasmimage/wikifunctions.py), as it does
# for the QuickJS image, whose host exits with 4 at once.
OUT_OF_MEMORY_EXIT_CODE = 4
# id(list, dict or ZPair) -> (it, the ZObject type it came in with), so that passing it
# through keeps the type; holding the value keeps its id from being reused.
DECLARED = {}
REFERENCE_FIRST = "ABCDEFGHIJLMNOPQRSTUVWXYZ"  # K starts a key, not a reference


class ConversionError(Exception):
    pass


class ZPair:
    def __init__(self, K1, K2):
        self.K1 = K1
        self.K2 = K2

    def __eq__(self, other):
        return isinstance(other, ZPair) and (self.K1, self.K2) == (other.K1, other.K2)

    def __repr__(self):
        return "ZPair(%r, %r)" % (self.K1, self.K2)


class ZObject:
    """A ZObject of a type with no native form: Z1K1 is its type, the other keys native values.
    ZObject("Z10001", Z10001K1="text") builds one to return."""

    def __init__(self, Z1K1, **keys):
        self.Z1K1 = Z1K1
        self.keys = keys

    def __getattr__(self, key):
        try:
            return self.__dict__["keys"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __eq__(self, other):
        return isinstance(other, ZObject) and (self.Z1K1, self.keys) == (other.Z1K1, other.keys)

    def __repr__(self):
        return "ZObject(%r, %s)" % (self.Z1K1, ", ".join("%s=%r" % item for item in self.keys.items()))


class DebugLogs:
    """A text stream (and Wikifunctions.Debug) that keeps lines instead of writing them."""

    def __init__(self):
        self.lines = []
        self.chars = 0
        self.partial = ""
        self.truncated = False

    def add(self, line):
        if self.truncated:
            return
        if self.chars + len(line) > MAX_LOG_CHARS:
            self.truncated = True
            self.lines.append("(debug logs truncated after %d characters)" % MAX_LOG_CHARS)
            return
        self.chars += len(line)
        self.lines.append(line)

    def write(self, text):
        *lines, self.partial = (self.partial + str(text)).split("\n")
        for line in lines:
            self.add(line)
        if len(self.partial) > MAX_LOG_CHARS:  # one endless line
            self.add(self.partial)
            self.partial = ""
        return len(text)

    def flush(self):
        pass

    def finish(self):
        if self.partial:
            self.add(self.partial)
            self.partial = ""
        return self.lines


def ref(zid):
    return {"Z1K1": "Z9", "Z9K1": zid}


def zstring(text):
    return {"Z1K1": "Z6", "Z6K1": text}


def type_call(function, **args):
    return dict({"Z1K1": ref("Z7"), "Z7K1": ref(function)}, **args)


def list_type(element):
    return type_call("Z881", Z881K1=element)


def pair_type(first, second):
    return type_call("Z882", Z882K1=first, Z882K2=second)


def map_type(key, value):
    return type_call("Z883", Z883K1=key, Z883K2=value)


def zlist(elements, element_type):
    type_ = list_type(element_type)
    head = {"Z1K1": type_}
    tail = head
    for element in elements:
        tail["K1"] = element
        tail["K2"] = {"Z1K1": type_}
        tail = tail["K2"]
    return head


def metadata(entries):
    pair = pair_type(ref("Z6"), ref("Z1"))
    return {"Z1K1": map_type(ref("Z6"), ref("Z1")),
            "K1": zlist([{"Z1K1": pair, "K1": zstring(key), "K2": value} for key, value in entries], pair)}


def is_reference(text):
    return len(text) > 1 and text[0] in REFERENCE_FIRST and text[1] != "0" and text[1:].isdigit() and text.isascii()


def is_key(key):
    head, k, number = key.rpartition("K")
    return (k == "K" and number.isdigit() and number[0] != "0" and number.isascii()
            and (head == "" or (head[0] == "Z" and head[1:].isdigit() and head[1:2] != "0" and head.isascii())))


def key_number(key):
    return int(key.rpartition("K")[2])


def ref_id(value):
    return value.get("Z9K1") if isinstance(value, dict) and value.get("Z1K1") == "Z9" else None


def normalize(z, where):
    """Canonical or normal form in, normal form out; `where` names the place for errors."""
    if isinstance(z, str):
        return ref(z) if is_reference(z) else zstring(z)
    if isinstance(z, list):  # a canonical typed list: [elementType, *elements]
        if not z:
            raise ConversionError("%s: [] is not a ZObject (a canonical list starts with its type)" % where)
        return zlist([normalize(e, "%s[%d]" % (where, i + 1)) for i, e in enumerate(z[1:])],
                     normalize(z[0], where + "[0]"))
    if not isinstance(z, dict):
        raise ConversionError("%s: %s is not a ZObject" % (where, dumps(z)))
    if "Z1K1" not in z:
        raise ConversionError("%s: an object without Z1K1 is not a ZObject" % where)
    type_ = ref(z["Z1K1"]) if z["Z1K1"] in ("Z6", "Z9") else normalize(z["Z1K1"], where + ".Z1K1")
    zid = ref_id(type_)
    if zid in ("Z6", "Z9"):
        payload = z.get(zid + "K1")
        if not isinstance(payload, str):
            raise ConversionError("%s.%sK1: must be a string" % (where, zid))
        return zstring(payload) if zid == "Z6" else ref(payload)
    out = {"Z1K1": type_}
    for key, value in z.items():
        if key == "Z1K1":
            continue
        if not is_key(key):
            raise ConversionError("%s: %s is not a ZObject key" % (where, dumps(key)))
        out[key] = normalize(value, "%s.%s" % (where, key))
    return out


def required(z, key, where):
    if key not in z:
        raise ConversionError("%s: missing %s" % (where, key))
    return z[key]


def list_items(z, where):
    items, tail = [], z
    while "K1" in tail:
        items.append((tail["K1"], "%s[%d]" % (where, len(items))))
        tail = tail.get("K2")
        if not isinstance(tail, dict):
            raise ConversionError("%s: element %d has no tail K2" % (where, len(items) - 1))
    return items


def to_native(z, where):
    """Normal form -> Python value."""
    type_ = z["Z1K1"]
    if type_ == "Z6":
        return z["Z6K1"]
    if type_ == "Z9":
        return ZObject("Z9", Z9K1=z["Z9K1"])
    zid = ref_id(type_)
    if zid == "Z21":
        return None
    if zid == "Z40":
        value = ref_id(required(z, "Z40K1", where))
        if value not in ("Z41", "Z42"):
            raise ConversionError("%s.Z40K1: a boolean must be Z41 or Z42" % where)
        return value == "Z41"
    generic = ref_id(type_.get("Z7K1")) if ref_id(type_.get("Z1K1")) == "Z7" else None
    if generic == "Z881":
        return typed([to_native(item, at) for item, at in list_items(z, where)], type_)
    if generic == "Z882":
        return typed(ZPair(to_native(required(z, "K1", where), where + ".K1"),
                           to_native(required(z, "K2", where), where + ".K2")), type_)
    if generic == "Z883":
        result = typed({}, type_)
        for pair, at in list_items(z["K1"], where + ".K1") if "K1" in z else []:
            key = to_native(required(pair, "K1", at), at + ".K1")
            try:
                result[key] = to_native(required(pair, "K2", at), at + ".K2")
            except TypeError:
                raise ConversionError("%s.K1: a %s cannot be a dict key" % (at, type(key).__name__)) from None
        return result
    return ZObject(type_, **{key: to_native(value, "%s.%s" % (where, key)) for key, value in z.items()
                             if key != "Z1K1"})


def typed(value, type_):
    DECLARED[id(value)] = (value, type_)
    return value


def declared_type(value):
    entry = DECLARED.get(id(value))
    return entry[1] if entry is not None and entry[0] is value else {}


def sorted_json(value):
    return dumps(value, sort_keys=True)


def type_of(z):
    return ref(z["Z1K1"]) if isinstance(z["Z1K1"], str) else z["Z1K1"]


def kept_or_common(type_, zobjects):
    """`type_` if every one of `zobjects` is of it (Z1 fits all), else the type they share."""
    if type_ is None:
        return common_type(zobjects)
    wanted = sorted_json(type_)
    if ref_id(type_) == "Z1" or all(sorted_json(type_of(z)) == wanted for z in zobjects):
        return type_
    return common_type(zobjects)


def common_type(zobjects):
    """The one type all of `zobjects` share, or Z1 (also for none, and for references and calls)."""
    if len({sorted_json(type_of(z)) for z in zobjects}) != 1:
        return ref("Z1")
    type_ = type_of(zobjects[0])
    return ref("Z1") if ref_id(type_) in ("Z9", "Z7", "Z18") else type_


def describe_value(value):
    if callable(value):
        return "a function (%s)" % getattr(value, "__name__", type(value).__name__)
    if isinstance(value, (int, float, complex)):
        return "the %s %r" % (type(value).__name__, value)
    return "a value of type %s" % type(value).__name__


def to_zobject(value, where):
    """Python value -> normal form."""
    if isinstance(value, str):
        return zstring(value)
    if isinstance(value, bool):
        return {"Z1K1": ref("Z40"), "Z40K1": ref("Z41" if value else "Z42")}
    if value is None:
        return {"Z1K1": ref("Z21")}
    if isinstance(value, (list, tuple)):
        elements = [to_zobject(element, "%s[%d]" % (where, i)) for i, element in enumerate(value)]
        return zlist(elements, kept_or_common(declared_type(value).get("Z881K1"), elements))
    if isinstance(value, ZPair):
        first, second = to_zobject(value.K1, where + ".K1"), to_zobject(value.K2, where + ".K2")
        type_ = declared_type(value)
        return {"Z1K1": pair_type(kept_or_common(type_.get("Z882K1"), [first]),
                                  kept_or_common(type_.get("Z882K2"), [second])), "K1": first, "K2": second}
    if isinstance(value, dict):
        entries = [(to_zobject(k, "%s key %r" % (where, k)), to_zobject(v, "%s[%r]" % (where, k)))
                   for k, v in value.items()]
        type_ = declared_type(value)
        key_type = kept_or_common(type_.get("Z883K1"), [k for k, _ in entries])
        value_type = kept_or_common(type_.get("Z883K2"), [v for _, v in entries])
        pair = pair_type(key_type, value_type)
        return {"Z1K1": map_type(key_type, value_type),
                "K1": zlist([{"Z1K1": pair, "K1": k, "K2": v} for k, v in entries], pair)}
    if isinstance(value, ZObject):
        if value.Z1K1 == "Z9":
            return ref(str(value.keys.get("Z9K1")))
        out = {"Z1K1": normalize(value.Z1K1, where + ".Z1K1")}
        for key, item in value.keys.items():
            if not is_key(key):
                raise ConversionError("%s: %s is not a ZObject key" % (where, dumps(key)))
            out[key] = to_zobject(item, "%s.%s" % (where, key))
        return out
    raise ConversionError("%s: %s has no ZObject form" % (where, describe_value(value)))


def describe(exc):
    try:
        if isinstance(exc, SyntaxError):
            return "SyntaxError: %s (line %s)" % (exc.msg, exc.lineno)
        message = str(exc)
        return "%s: %s" % (type(exc).__name__, message) if message else type(exc).__name__
    except Exception:
        return "(an exception that cannot be converted to a string)"


class Wikifunctions:
    """What the evaluator offers user code: Wikifunctions.Debug(...) adds to executorDebugLogs."""

    logs = None

    @classmethod
    def Debug(cls, *values):
        cls.logs.write(" ".join(str(value) for value in values) + "\n")


def handle(text, logs):
    """The Z22 for one request text; user output goes to `logs`."""

    def failure(message):
        entries = [("errors", {"Z1K1": ref("Z5"), "Z5K2": zstring(message)})]
        return {"Z1K1": ref("Z22"), "Z22K1": ref("Z24"), "Z22K2": metadata(entries + debug_logs())}

    def debug_logs():
        lines = logs.finish()
        return [("executorDebugLogs", zlist([zstring(line) for line in lines], ref("Z6")))] if lines else []

    try:
        request = loads(text)
    except ValueError as exc:
        return failure("the request is not valid JSON: %s" % exc)
    if not isinstance(request, dict):
        return failure("the request must be a JSON object")
    code, name, arguments = request.get("codeString"), request.get("functionName"), request.get("functionArguments", {})
    if not isinstance(code, str):
        return failure('the request has no "codeString" (the source code, a string)')
    if not isinstance(name, str) or not name.isidentifier():
        return failure('the request has no "functionName" (the name of the function to call, like "Z1000")')
    if not isinstance(arguments, dict):
        return failure('"functionArguments" must be an object of ZObjects by argument key')
    bad = [key for key in arguments if not is_key(key)]
    if bad:
        return failure('"functionArguments": %s is not an argument key like "Z1000K1"' % dumps(bad[0]))
    kwargs = {}
    for key in sorted(arguments, key=lambda k: (key_number(k), k)):
        try:
            kwargs[key] = to_native(normalize(arguments[key], key), key)
        except (ConversionError, RecursionError) as exc:
            return failure("cannot read argument %s: %s" % (key, exc))
    namespace = {"__name__": "__wikifunctions__", "Wikifunctions": Wikifunctions, "ZPair": ZPair, "ZObject": ZObject}
    try:
        exec(compile(code, "<codeString>", "exec"), namespace)
        function = namespace.get(name)
        if function is None:
            raise NameError("name %r is not defined" % name)
        result = function(**kwargs)
    except MemoryError:
        raise
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the user's code ended
        return failure(describe(exc))
    try:
        z = to_zobject(result, "result")
    except (ConversionError, RecursionError) as exc:
        return failure("cannot convert the result to a ZObject: %s" % exc)
    entries = debug_logs()
    return {"Z1K1": ref("Z22"), "Z22K1": z, "Z22K2": metadata(entries) if entries else ref("Z24")}


def main():
    out = sys.stdout
    text = sys.stdin.read()
    logs = DebugLogs()
    Wikifunctions.logs = logs
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = logs
    try:
        z22 = handle(text, logs)
    except MemoryError:
        os._exit(OUT_OF_MEMORY_EXIT_CODE)
    out.write(dumps(z22) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
