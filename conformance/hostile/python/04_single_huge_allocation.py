# One 1 GiB string, far over the cap.
s = "x" * (1 << 30)
print(len(s))
