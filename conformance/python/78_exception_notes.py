# Exception notes (add_note) are shown after the message; __notes__ holds them.
import traceback


def parse(text):
    try:
        return int(text)
    except ValueError as e:
        e.add_note(f"while parsing {text!r}")
        e.add_note("hint: digits only")
        raise


try:
    parse("12x")
except ValueError as e:
    print(type(e).__name__, e.__notes__)
    print("".join(traceback.format_exception_only(e)), end="")

err = KeyError("k")
print(hasattr(err, "__notes__"))
try:
    err.add_note(42)
except TypeError:
    print("notes must be strings")
parse("oops")
