# More itertools: pairwise, zip_longest, starmap, takewhile/dropwhile, compress, tee, cycle, count.
from itertools import (compress, count, cycle, dropwhile, filterfalse, islice, pairwise, repeat, starmap,
                       takewhile, tee, zip_longest)

print(list(pairwise("abcd")), list(zip_longest("ab", [1, 2, 3], fillvalue="-")))
print(list(starmap(pow, [(2, 5), (3, 2)])), list(takewhile(lambda x: x < 4, [1, 3, 5, 2])))
print(list(dropwhile(lambda x: x < 4, [1, 3, 5, 2])), list(compress("ABCDEF", [1, 0, 1, 0, 1, 1])))
print(list(filterfalse(str.isdigit, "a1b2c3")), list(islice(cycle("xyz"), 7)), list(islice(count(10, -2.5), 4)))
first, second = tee(iter([1, 2, 3]))
print(list(first), list(second), list(repeat("r", 3)), list(islice(range(100), 5, 20, 4)))
print(list(zip(count(), "ab")), list(map(pow, range(4), repeat(2))))


def chunks(iterable, size):
    it = iter(iterable)
    while batch := tuple(islice(it, size)):
        yield batch


print(list(chunks(range(7), 3)))
