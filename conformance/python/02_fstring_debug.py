# The "=" self-documenting specifier in f-strings.
x = 42
pi = 3.14159
name = "Zoë"
items = [1, 2, 3]

print(f"{x=}")
print(f"{x = }")
print(f"{x*2=}")
print(f"{pi=:.2f}")
print(f"{name=}")
print(f"{name=!s}")
print(f"{items=}")
print(f"{len(items)=}, {sum(items) = }")
print(f"{x=:>6}|")
print(f"{None=} {True=}")
