# One 1 GiB string, far over the cap: MemoryError, uncaught.
s = "x" * (1 << 30)
print(len(s))
