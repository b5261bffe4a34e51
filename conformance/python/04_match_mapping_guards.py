# Pattern matching: mapping patterns, sequences, guards, literals, captures.
def handle(cmd):
    match cmd:
        case {"action": "move", "dx": int(dx), "dy": int(dy)} if dx or dy:
            return f"move by ({dx}, {dy})"
        case {"action": "move"}:
            return "no-op move"
        case {"action": "say", "text": str() as text, **rest}:
            return f"say {text!r} extras={sorted(rest)}"
        case {"action": action}:
            return f"unknown action {action}"
        case ["go", ("north" | "south") as direction]:
            return f"go {direction}"
        case ["go", direction]:
            return f"cannot go {direction}"
        case ["drop", *objects] if objects:
            return f"drop {', '.join(objects)}"
        case (1, 2, 3):
            return "one-two-three"
        case True:
            return "literal True"
        case 0 | 1:
            return "zero or one"
        case _:
            return "unmatched"


cases = [
    {"action": "move", "dx": 1, "dy": 0}, {"action": "move", "dx": 0, "dy": 0},
    {"action": "say", "text": "hi", "loud": True, "at": 3}, {"action": "jump"},
    ["go", "north"], ["go", "west"], ["drop", "sword", "shield"], ["drop"],
    [1, 2, 3], (1, 2, 3), True, 1, 1.0, "other", {"no_action": 1},
]
for c in cases:
    print(handle(c))
