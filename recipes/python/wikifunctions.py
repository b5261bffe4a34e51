"""The Wikifunctions executor contract, for Python (wasmimage/runtime/wikifunctions.py, docs/evaluator.md).

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
are both accepted, and a type as a reference, a call (Z7) or a Z4 of either at any depth, as
the orchestrator sends it (the same type: identity()). Python -> ZObject: the same table
backwards; a tuple and any other iterable (an iterator, a generator, range, map, zip, dict
views...) are lists too, a set or frozenset a sorted one. A list, pair or map keeps the type
it came in with, as given, while its values still fit it; else its element (or member) types
are the common type of the values, or Z1 when they differ. Anything else (numbers, functions,
bytes, ...) is an error naming what could not be converted and where.

What the code prints (print, sys.stdout, sys.stderr, Wikifunctions.Debug) is collected
into executorDebugLogs instead of stdout (at most MAX_LOG_CHARS, then a truncation notice).
The first STREAMED_LOG_CHARS of its lines are also copied to stderr as they come: the host's
failure Z22 carries them when it ends the call (a time or memory limit, a trap) before a response.
Running out of memory ends the executor with OUT_OF_MEMORY_EXIT_CODE and no response: the
host reports the memory limit. Only the standard library's json, os and sys are used, so
any Python 3 runs it.
"""

import os
import sys
from json import dumps, loads  # bound before user code runs: it may change the json module

MAX_LOG_CHARS = 64 * 1024
STREAMED_LOG_CHARS = 8 * 1024
# Out of memory means the sandbox's cap: the executor then ends with this code and writes
# nothing, so the host reports the memory limit (wasmimage/runtime/wikifunctions.py), as it does
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
        self.streamed = 0

    def add(self, line):
        if self.streamed + len(line) + 2 > STREAMED_LOG_CHARS:
            self.streamed = STREAMED_LOG_CHARS  # the copy ends at the first line that does not fit
        else:
            self.streamed += len(line) + 2
            try:
                os.write(2, ("\x1e" + line + "\n").encode("utf-8", "replace"))  # marked: runtime/outputs.py
            except OSError:  # the caller's stderr cap: the response still carries the logs
                self.streamed = STREAMED_LOG_CHARS
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


def zlist(elements, type_):
    """A typed list in normal form: every link, the empty tail too, has Z1K1 `type_`."""
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
            "K1": zlist([{"Z1K1": pair, "K1": zstring(key), "K2": value} for key, value in entries], list_type(pair))}


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


def unwrapped(type_):
    """A type (normal form) without the Z4s around it: a Z4 stands for its identity Z4K1, which
    may be a Z4 again (the orchestrator sends types resolved: Z4K1 the call or reference, keys
    in Z4K2, validator in Z4K3)."""
    while isinstance(type_, dict) and ref_id(type_.get("Z1K1")) == "Z4" and "Z4K1" in type_:
        type_ = type_["Z4K1"]
    return type_


def identity(type_):
    """What a type is, whatever form it came in: a reference, a call (Z7) of a generic type
    whose arguments are types again, or a Z4 of either, at any depth."""
    type_ = unwrapped(type_)
    if isinstance(type_, dict) and ref_id(type_.get("Z1K1")) == "Z7":
        return {key: identity(value) for key, value in type_.items()}
    return type_


def type_key(type_):
    """Equal for two types exactly when they are the same type."""
    return sorted_json(identity(type_))


def generic_call(type_):
    """The call (Z7) of a generic type (Z881 list, Z882 pair, Z883 map) behind `type_`, or {}."""
    call = unwrapped(type_)
    return call if isinstance(call, dict) and ref_id(call.get("Z1K1")) == "Z7" else {}


def normalize(z, where):
    """Canonical or normal form in, normal form out; `where` names the place for errors."""
    if isinstance(z, str):
        return ref(z) if is_reference(z) else zstring(z)
    if isinstance(z, list):  # a canonical typed list: [elementType, *elements]
        if not z:
            raise ConversionError("%s: [] is not a ZObject (a canonical list starts with its type)" % where)
        return zlist([normalize(e, "%s[%d]" % (where, i + 1)) for i, e in enumerate(z[1:])],
                     list_type(normalize(z[0], where + "[0]")))
    if not isinstance(z, dict):
        raise ConversionError("%s: %s is not a ZObject" % (where, dumps(z)))
    if "Z1K1" not in z:
        raise ConversionError("%s: an object without Z1K1 is not a ZObject" % where)
    type_ = ref(z["Z1K1"]) if z["Z1K1"] in ("Z6", "Z9") else normalize(z["Z1K1"], where + ".Z1K1")
    zid = ref_id(unwrapped(type_))
    if zid in ("Z6", "Z9"):  # also when the type came resolved: a string's form is one
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
    zid = ref_id(unwrapped(type_))
    if zid == "Z21":
        return None
    if zid == "Z40":
        value = ref_id(required(z, "Z40K1", where))
        if value not in ("Z41", "Z42"):
            raise ConversionError("%s.Z40K1: a boolean must be Z41 or Z42" % where)
        return value == "Z41"
    generic = ref_id(generic_call(type_).get("Z7K1"))
    if generic == "Z881":
        return typed([to_native(item, at) for item, at in list_items(z, where)], type_)
    if generic == "Z882":
        return typed(ZPair(to_native(required(z, "K1", where), where + ".K1"),
                           to_native(required(z, "K2", where), where + ".K2")), type_)
    if generic == "Z883":
        pairs_type = z["K1"]["Z1K1"] if "K1" in z else None
        result = typed({}, (type_, pairs_type if "Z881K1" in generic_call(pairs_type) else None))
        for pair, at in list_items(z["K1"], where + ".K1") if "K1" in z else []:
            key = to_native(required(pair, "K1", at), at + ".K1")
            try:
                result[key] = to_native(required(pair, "K2", at), at + ".K2")
            except TypeError:
                raise ConversionError("%s.K1: a %s cannot be a dict key" % (at, type(key).__name__)) from None
        return result
    return ZObject(type_, **{key: to_native(value, "%s.%s" % (where, key)) for key, value in z.items()
                             if key != "Z1K1"})


def typed(value, declared):
    """Remember the type a list, pair or map came in with (a map: with its list of pairs' type)."""
    DECLARED[id(value)] = (value, declared)
    return value


def declared_type(value):
    entry = DECLARED.get(id(value))
    return entry[1] if entry is not None and entry[0] is value else None


def sorted_json(value):
    return dumps(value, sort_keys=True)


def type_of(z):
    return ref(z["Z1K1"]) if isinstance(z["Z1K1"], str) else z["Z1K1"]


def fits(type_, zobjects):
    """Whether every one of `zobjects` is of `type_` (Z1 fits all; None, no type, fits none)."""
    if type_ is None:
        return False
    wanted = type_key(type_)
    return wanted == type_key(ref("Z1")) or all(type_key(type_of(z)) == wanted for z in zobjects)


def kept_or_common(type_, zobjects):
    """`type_` if every one of `zobjects` is of it, else the type they share."""
    return type_ if fits(type_, zobjects) else common_type(zobjects)


def common_type(zobjects):
    """The one type all of `zobjects` share, as the first gives it, or Z1 (also for none, and for
    references and calls)."""
    if len({type_key(type_of(z)) for z in zobjects}) != 1:
        return ref("Z1")
    type_ = type_of(zobjects[0])
    return ref("Z1") if ref_id(identity(type_)) in ("Z9", "Z7", "Z18") else type_


def describe_value(value):
    if callable(value):
        return "a function (%s)" % getattr(value, "__name__", type(value).__name__)
    if isinstance(value, (int, float, complex)):
        return "the %s %r" % (type(value).__name__, value)
    return "a value of type %s" % type(value).__name__


class RaisedByCode(Exception):
    """What the code raised while its result was read: a generator's body runs only then."""

    def __init__(self, raised):
        super().__init__()
        self.raised = raised


def values_of(iterable, where):
    """The values of an iterable result (an iterator, a generator, range, a set, a dict view...)."""
    try:
        iterator = iter(iterable)
    except TypeError:
        raise ConversionError("%s: %s has no ZObject form" % (where, describe_value(iterable))) from None
    try:
        return list(iterator)
    except MemoryError:
        raise
    except BaseException as exc:
        raise RaisedByCode(exc) from None


def order(z):
    """A total order on ZObjects in normal form, the same in every Python: strings by code
    point (as sorted() puts them) first, then other values by their keys and strings."""
    return (0, z) if isinstance(z, str) else (1, [(key, order(z[key])) for key in sorted(z)])


def to_zobject(value, where):
    """Python value -> normal form."""
    if isinstance(value, str):
        return zstring(value)
    if isinstance(value, bool):
        return {"Z1K1": ref("Z40"), "Z40K1": ref("Z41" if value else "Z42")}
    if value is None:
        return {"Z1K1": ref("Z21")}
    if isinstance(value, ZPair):
        first, second = to_zobject(value.K1, where + ".K1"), to_zobject(value.K2, where + ".K2")
        declared = declared_type(value)
        call = generic_call(declared)
        if fits(call.get("Z882K1"), [first]) and fits(call.get("Z882K2"), [second]):
            type_ = declared
        else:
            type_ = pair_type(kept_or_common(call.get("Z882K1"), [first]), kept_or_common(call.get("Z882K2"), [second]))
        return {"Z1K1": type_, "K1": first, "K2": second}
    if isinstance(value, dict):
        return zmap(value, where)
    if isinstance(value, ZObject):
        if value.Z1K1 == "Z9":
            return ref(str(value.keys.get("Z9K1")))
        out = {"Z1K1": normalize(value.Z1K1, where + ".Z1K1")}
        for key, item in value.keys.items():
            if not is_key(key):
                raise ConversionError("%s: %s is not a ZObject key" % (where, dumps(key)))
            out[key] = to_zobject(item, "%s.%s" % (where, key))
        return out
    if isinstance(value, (bytes, bytearray, memoryview)):  # iterable, but of numbers: no list
        raise ConversionError("%s: %s has no ZObject form" % (where, describe_value(value)))
    if isinstance(value, (set, frozenset)):  # iteration order differs between runs and Pythons
        return zlist_of(sorted((to_zobject(item, where + " (a set)") for item in value), key=order), None)
    items = value if isinstance(value, (list, tuple)) else values_of(value, where)
    return zlist_of([to_zobject(item, "%s[%d]" % (where, i)) for i, item in enumerate(items)],
                    declared_type(value))


def zlist_of(elements, declared):
    """A list of `elements`, of the declared list type while they fit its element type."""
    if fits(generic_call(declared).get("Z881K1"), elements):
        return zlist(elements, declared)
    return zlist(elements, list_type(common_type(elements)))


def zmap(value, where):
    """A dict as a Z883 map: of the declared map type (and its list of pairs' type) while the
    keys and values fit it, else of their common types."""
    entries = [(to_zobject(k, "%s key %r" % (where, k)), to_zobject(v, "%s[%r]" % (where, k)))
               for k, v in value.items()]
    keys, values = [k for k, _ in entries], [v for _, v in entries]
    type_, pairs_type = declared_type(value) or (None, None)
    call = generic_call(type_)
    if fits(call.get("Z883K1"), keys) and fits(call.get("Z883K2"), values):
        pairs_type = pairs_type or list_type(pair_type(call["Z883K1"], call["Z883K2"]))
    else:
        key_type, value_type = kept_or_common(call.get("Z883K1"), keys), kept_or_common(call.get("Z883K2"), values)
        type_, pairs_type = map_type(key_type, value_type), list_type(pair_type(key_type, value_type))
    pair = generic_call(pairs_type)["Z881K1"]
    return {"Z1K1": type_, "K1": zlist([{"Z1K1": pair, "K1": k, "K2": v} for k, v in entries], pairs_type)}


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
        return [("executorDebugLogs", zlist([zstring(line) for line in lines], list_type(ref("Z6"))))] if lines else []

    try:
        request = loads(text)
    except ValueError as exc:
        return failure("the request is not valid JSON: %s" % exc)
    if not isinstance(request, dict):
        return failure("the request must be a JSON object")
    code, name, arguments = request.get("codeString"), request.get("functionName"), request.get("functionArguments", {})
    if name is None:
        return failure("Function call did not provide functionName.")  # the evaluator's words, as below
    if not isinstance(name, str) or not name.isidentifier():
        return failure('functionName %s is not the name of a function, like "Z1000"' % dumps(name, ensure_ascii=False))
    if code is None:
        return failure("Function call did not provide codeString.")
    if not isinstance(code, str):
        return failure("codeString must be a string (the source code)")
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
    except RaisedByCode as exc:
        return failure(describe(exc.raised))
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
