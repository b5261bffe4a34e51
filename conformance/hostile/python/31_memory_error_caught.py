# One allocation far over the cap raises MemoryError, which the program catches and carries on.
try:
    buffer = bytearray(2**31 - 1)
except MemoryError:
    print("bytearray: MemoryError")
try:
    text = "x" * (2**31 - 1)
except MemoryError:
    print("str: MemoryError")
print(len(bytearray(1 << 20)))
