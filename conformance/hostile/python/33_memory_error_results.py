# A str or bytes result the program asks for past what a 32-bit interpreter can hold: CPython's
# OverflowError (the length itself overflows) or MemoryError, caught, and the program carries on.
import sys

A = "A" * 2**16
B = b"A" * 2**16
attempts = [
    ("str.expandtabs", lambda: "\ta\n\tb".expandtabs(sys.maxsize)),
    ("bytes.expandtabs", lambda: b"\ta\n\tb".expandtabs(sys.maxsize)),
    ("bytearray.expandtabs", lambda: bytearray(b"\ta\tb").expandtabs(sys.maxsize)),
    ("str.replace ''", lambda: A.replace("", A)),
    ("str.replace 'A'", lambda: A.replace("A", A)),
    ("str.replace 'AA'", lambda: A.replace("AA", A + A)),
    ("bytes.replace b''", lambda: B.replace(b"", B)),
    ("bytearray.replace b'A'", lambda: bytearray(B).replace(b"A", B)),
    ("str.join", lambda: "".join(["A" * 46341] * 46341)),
    ("bytes.join", lambda: b"".join([b"A" * 46341] * 46341)),
    ("str.replace, 256 MB", lambda: ("x" * 2**12).replace("x", "y" * 2**16)),
    ("str.expandtabs, 100 MB", lambda: "\t".expandtabs(10**8)),
]
for label, make in attempts:
    try:
        make()
    except (MemoryError, OverflowError) as error:
        print(f"{label}: {type(error).__name__} {error}".rstrip())
print("a\tb".expandtabs(4), "a-b".replace("-", "--"), "+".join("abc"), b"a\tb".expandtabs(3))
