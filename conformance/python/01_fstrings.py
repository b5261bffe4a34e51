# f-strings: format specs, nested fields, conversions.
name = "Ada"
width = 10
value = 3.14159265
n = 1234567

print(f"Hello, {name}!")
print(f"[{name:>{width}}]")
print(f"[{name:<{width}}]")
print(f"[{name:^{width}}]")
print(f"[{name:*^{width}}]")
print(f"{value:.3f} {value:10.2f}| {value:e} {value:.2%}")
print(f"{n:,} {n:_} {n:08d} {n:+d} {-n:d}")
print(f"{255:x} {255:X} {255:#x} {255:o} {255:#b} {5:08b}")
print(f"{name!r} {name!s} {'é'!a}")
precision = 4
print(f"{value:.{precision}f} {value:{width}.{precision}}")
items = ["a", "b", "c"]
print(f"{', '.join(items)} / {len(items) * 2} / {items[-1].upper()}")
print(f"{{literal braces}} {{{n}}}")
d = {"key": "v"}
print(f"{d['key']} {'yes' if n > 0 else 'no'}")
print(f"{'multi' 'part'}" f"-{name.lower()}")
