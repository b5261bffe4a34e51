# Keeps allocating 1 MiB buffers until the memory cap refuses one: the cap holds, the call ends
# as memory_limit, and nothing half-printed takes the place of the interpreter's one line.
keep = []
while True:
    keep.append(bytearray(1 << 20))
