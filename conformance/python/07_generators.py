# Generators: send(), return values via StopIteration, throw(), close() and finally.
def running_average():
    total = 0.0
    count = 0
    average = None
    while True:
        value = yield average
        if value is None:
            return count
        total += value
        count += 1
        average = total / count


avg = running_average()
print(next(avg))
for v in [10, 20, 60]:
    print(avg.send(v))
try:
    avg.send(None)
except StopIteration as stop:
    print("count", stop.value)


def guarded():
    try:
        yield 1
        yield 2
    except ValueError as e:
        print("caught", e)
        yield 99
    finally:
        print("cleanup")


g = guarded()
print(next(g), g.throw(ValueError("boom")))
g.close()
print(list(guarded()))
