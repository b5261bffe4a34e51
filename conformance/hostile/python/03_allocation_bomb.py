# Keeps allocating 1 MiB buffers until the memory cap refuses one. Interpreters report that
# differently (CPython raises MemoryError and exits 1; an interpreter that aborts on allocation
# failure traps); either way the cap holds and the call ends.
keep = []
while True:
    keep.append(bytearray(1 << 20))
