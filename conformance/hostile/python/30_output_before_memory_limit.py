# Output written before the memory cap ends the program reaches the caller, and running out
# of memory is the memory_limit outcome, not a crash or a broken traceback.
print("progress 1")
keep = []
while True:
    keep.append(bytearray(1 << 20))
