# Comprehension scopes: their own namespace, walrus binding outward, class-body quirks, nesting order.
x = "outer"
squares = [x * x for x in range(4)]
print(x, squares)
total = 0
running = [total := total + v for v in (1, 2, 3)]
print(running, total)
print([y for y in range(3) if (last := y) > 0], last)


class Table:
    size = 3
    rows = [i for i in range(size)]
    try:
        cells = [(i, size) for i in range(2)]
    except NameError:
        cells = "NameError: class scope is not visible inside the comprehension body"


print(Table.rows, Table.cells)
matrix = [[1, 2, 3], [4, 5, 6]]
print([n for row in matrix for n in row if n % 2], [[row[i] for row in matrix] for i in range(3)])
print({k: v for k, v in zip("abc", range(3)) if v}, {len(w) for w in ["aa", "b", "cc"]} == {1, 2})
gen = (i for i in range(3))
print(type(gen).__name__, list(gen), list(gen))
funcs = [lambda: n for n in range(3)]
print([f() for f in funcs])
