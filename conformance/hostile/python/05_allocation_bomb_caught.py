# Catching MemoryError and carrying on allocating: the cap still holds, whatever the script does.
keep = []
while True:
    try:
        keep.append(bytearray(1 << 20))
    except MemoryError:
        keep.append("retry")
