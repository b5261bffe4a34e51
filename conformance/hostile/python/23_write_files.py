# Writing files: the script's directory is read-only and there is no other.
import os


def attempt(label, action):
    try:
        action()
    except Exception:  # OSError subclasses differ between interpreters
        print(f"{label}: denied")
    else:
        print(f"{label}: WROTE")


def write(path):
    with open(path, "w") as f:
        f.write("pwned")


for path in ("/script/new.txt", "/script/main.py", "/tmp/x", "/x", "out.txt", "/etc/cron.d/x"):
    attempt(f"write {path}", lambda: write(path))
attempt("mkdir /script/d", lambda: os.mkdir("/script/d"))
attempt("remove /script/main.py", lambda: os.remove("/script/main.py"))
attempt("rename", lambda: os.rename("/script/main.py", "/script/moved.py"))
print(sorted(os.listdir("/script")))
