# List, dict, set comprehensions and generator expressions (sets printed sorted).
matrix = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print([x for row in matrix for x in row if x % 2])
print([[row[i] for row in matrix] for i in range(3)])
print({w: len(w) for w in ["apple", "kiwi", "banana"]})
print(sorted({c.lower() for c in "Hello World" if c.isalpha()}))
print(sorted({x % 5 for x in range(100)}))
print(sum(x * x for x in range(10)), max((len(w), w) for w in ["a", "ccc", "bb"]))
inverted = {v: k for k, v in {"a": 1, "b": 2, "c": 1}.items()}
print(inverted)
print([(i, j) for i in range(3) for j in range(i)])
print({k: [v for v in range(k)] for k in range(4) if k})
fizz = ["FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else str(i)
        for i in range(1, 16)]
print(" ".join(fizz))
x = "outer"
print([x for x in "ab"], x)
gen = (n for n in range(5))
print(next(gen), list(gen), list(gen))
