# collections.Counter: arithmetic, most_common with ties, elements, total, comparisons.
from collections import Counter

a = Counter("abracadabra")
b = Counter(a=1, b=5, z=2)
print(a.most_common(3), a.most_common()[-1], a.total(), a["missing"])
print(sorted((a + b).items()), sorted((a - b).items()))
print(sorted((a & b).items()), sorted((a | b).items()), sorted((-b + Counter(z=3)).items()))
c = Counter(a)
c.subtract(b)
print(sorted(c.items()), sorted((+c).items()))
print(sorted(Counter(x=2, y=1).elements()), Counter("aab") == Counter("aba"), Counter(a=1) <= Counter(a=2, b=1))
c.update({"new": 4})
c.update("nn")
print(c["new"], c["n"], len(c))
words = "one two two three three three".split()
print(Counter(words).most_common(1)[0], dict(Counter(len(w) for w in words)))
