# A width or precision of gigabytes in formatting: MemoryError (an integer's precision over
# INT_MAX - 3: OverflowError), caught, and the program carries on. A precision that only
# truncates a string allocates nothing. (A general float format's huge precision is left out:
# CPython allocates its digits and raises MemoryError, RustPython stops at the last digit.)
huge = 2**31 - 5
attempts = [
    ("'%*d'", lambda: "%*d" % (2**31 - 1, -127)),
    ("'%.*d'", lambda: "%.*d" % (2**31 - 1, 1)),
    ("'%.*f'", lambda: "%.*f" % (huge, 1.0)),
    ("'%*s'", lambda: "%*s" % (huge, "")),
    ("b'%*d'", lambda: b"%*d" % (10**8, 1)),  # at 2**31: CPython's OverflowError, too large
    ("format .Nf", lambda: format(1.0, f".{huge}f")),
    ("format .Ne", lambda: format(1.0, f".{huge}e")),
    ("str.format width", lambda: "{:{}}".format("", huge)),
    ("format int width", lambda: format(7, f">{huge}")),
    ("100 MB of padding", lambda: format("", f">{10**8}")),
]
for label, make in attempts:
    try:
        make()
    except (MemoryError, OverflowError) as error:
        print(f"{label}: {type(error).__name__} {error}".rstrip())
print("%.*s" % (huge, "abc"), format("abc", f".{huge}"))
print(format(3.14159, "08.2f"), "%5d|" % 42)
