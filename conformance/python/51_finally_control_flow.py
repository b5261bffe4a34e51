# finally with return, continue and break: which value wins and what still runs.
def override():
    try:
        raise RuntimeError("lost")
    finally:
        return "finally wins"


def count_finally():
    runs = []
    try:
        return runs
    finally:
        runs.append("finally appended after return value was computed")


print(override(), count_finally())
for i in range(4):
    try:
        if i == 1:
            continue
        if i == 3:
            break
        print("loop body", i)
    finally:
        print("loop finally", i)
print("after loop, i =", i)
n = 0
while True:
    try:
        n += 1
        if n == 2:
            raise ValueError(n)
    except ValueError as e:
        print("handled", e, "then break")
        break
    else:
        print("no error on pass", n)
