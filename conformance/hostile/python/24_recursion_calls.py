# Python calls without end, at the default recursion limit: a catchable RecursionError, and the
# interpreter carries on (the wasm stack must outlast the interpreter's own limit).
def down(n):
    return down(n + 1)


for attempt in range(2):
    try:
        down(0)
    except RecursionError:
        print("calls: RecursionError", attempt)
print("carried on")
