# Native code: no ctypes, no loading shared libraries, no mmap of host files.
def attempt(label, action):
    try:
        action()
    except Exception:  # ImportError or OSError, by interpreter
        print(f"{label}: blocked")
    else:
        print(f"{label}: LOADED")


def load_libc():
    import ctypes
    ctypes.CDLL("libc.so.6").system(b"echo pwned")


def cffi_like():
    import _ctypes  # noqa: F401


def mmap_file():
    import mmap
    with open("/etc/passwd", "rb") as f:
        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


for label, action in (("ctypes", load_libc), ("_ctypes", cffi_like), ("mmap", mmap_file)):
    attempt(label, action)
