# itertools: permutations, combinations, product, groupby, accumulate, chain, islice...
import itertools as it
import operator

print(list(it.permutations("abc", 2)))
print(["".join(p) for p in it.permutations("abc")])
print(list(it.combinations(range(4), 3)), list(it.combinations_with_replacement("ab", 2)))
print(list(it.product([0, 1], repeat=2)), list(it.product("ab", [1, 2])))
data = sorted(["apple", "avocado", "banana", "blueberry", "cherry", "apricot"], key=lambda w: w[0])
for key, group in it.groupby(data, key=lambda w: w[0]):
    print(key, list(group))
print([(k, len(list(g))) for k, g in it.groupby("aaabccdddd")])
print(list(it.accumulate([1, 2, 3, 4, 5])), list(it.accumulate([3, 1, 4, 1, 5], max)))
print(list(it.accumulate([1, 2, 3], operator.mul, initial=10)))
print(list(it.chain("ab", [1, 2], (None,))), list(it.chain.from_iterable([[1], [2, 3]])))
print(list(it.islice(it.count(10, 5), 4)), list(it.islice("abcdefg", 1, 6, 2)))
print(list(it.islice(it.cycle("xy"), 5)), list(it.repeat("z", 3)))
print(list(it.zip_longest("abc", [1], fillvalue="-")), list(it.starmap(pow, [(2, 3), (3, 2)])))
print(list(it.takewhile(lambda x: x < 3, [1, 2, 3, 1])), list(it.dropwhile(lambda x: x < 3, [1, 2, 3, 1])))
print(list(it.compress("abcdef", [1, 0, 1, 0, 1, 1])), list(it.filterfalse(str.isdigit, "a1b2")))
a, b = it.tee([1, 2, 3])
print(list(a), list(b), list(it.pairwise("abcd")))
print(sum(1 for _ in it.permutations(range(6))), len(list(it.product(range(3), repeat=4))))
