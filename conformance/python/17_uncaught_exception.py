# An uncaught exception exits with code 1 and a traceback on stderr.
def divide(a, b):
    return a / b


print("start")
print(divide(10, 4))
print(divide(1, 0))
print("not reached")
