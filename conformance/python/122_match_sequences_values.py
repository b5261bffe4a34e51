# match: sequence and star patterns, dotted value patterns, as-patterns, str/bytes are not sequences.
from enum import Enum


class Cmd(Enum):
    GO = "go"
    STOP = "stop"


def classify(subject):
    match subject:
        case []:
            return "empty list"
        case [x]:
            return f"one item {x}"
        case [first, *middle, last] if len(middle) > 1:
            return f"long: {first}..{last} ({len(middle)} inside)"
        case (1 | 2 | 3) as small, second:
            return f"small pair starting {small}, then {second}"
        case [_, _]:
            return "some pair"
        case Cmd.GO:
            return "go command"
        case "quit" | "exit":
            return "leave"
        case str() as text if text.isdigit():
            return f"digits {text}"
        case str():
            return "a string is not a sequence pattern"
        case bytes(b):
            return f"bytes of length {len(b)}"
        case {"type": "point", "xy": [x, y], **rest}:
            return f"point {x},{y} extra {sorted(rest)}"
        case float(f) | int(f):
            return f"number {f}"
        case _:
            return "unknown"


for s in ([], [9], [1, 2, 3, 4], (2, "b"), ["a", "b"], Cmd.GO, Cmd.STOP, "exit", "123", "ab", b"xyz",
          {"type": "point", "xy": (1, 2), "z": 3}, 2.5, 7, None):
    print(repr(s), "->", classify(s))
