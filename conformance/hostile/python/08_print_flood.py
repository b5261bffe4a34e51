# Prints 1 MiB lines forever: output past the cap is cut and the write fails.
line = "x" * (1 << 20)
while True:
    print(line)
