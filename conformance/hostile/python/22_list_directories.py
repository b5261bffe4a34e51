# Listing directories: only the script's own directory is visible.
import os


def attempt(label, action):
    try:
        result = action()
    except Exception:  # OSError subclasses differ between interpreters
        print(f"{label}: denied")
    else:
        print(f"{label}: {sorted(result)[:8]}")


for path in ("/", "/etc", "/proc", "/home", "/tmp", "..", "/script/.."):
    attempt(f"listdir({path})", lambda: os.listdir(path))
attempt("listdir(/script)", lambda: os.listdir("/script"))
