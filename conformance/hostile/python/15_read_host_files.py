# Reading outside the sandbox: only the script's own read-only directory is visible.
import os


def attempt(label, action):
    try:
        result = action()
    except Exception:  # each interpreter names the refusal differently (OSError subclasses)
        print(f"{label}: denied")
    else:
        print(f"{label}: READ {str(result)[:60]!r}")


for path in ("/etc/passwd", "/etc/hostname", "/proc/self/environ", "/script/../etc/passwd", "../etc/passwd",
             "/root/.bashrc", "/dev/zero"):
    attempt(f"open({path})", lambda: open(path).read(10))
attempt("os.open(/etc/shadow)", lambda: os.open("/etc/shadow", os.O_RDONLY))
with open(__file__) as own:
    print("own script readable:", own.readline().startswith("# Reading outside"))
