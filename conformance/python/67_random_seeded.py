# random with a fixed seed: the Mersenne Twister sequence is the same everywhere.
import random

random.seed(12345)
print([round(random.random(), 12) for _ in range(3)])
print([random.randint(1, 100) for _ in range(8)])
print(random.randrange(0, 1000, 7), random.getrandbits(40))
items = list(range(10))
random.shuffle(items)
print(items)
print(random.choice("abcdefg"), random.sample(range(100), 5))
print(round(random.uniform(10, 20), 10))

rng = random.Random("a string seed")
print(rng.randint(0, 10**12), rng.choices(["x", "y", "z"], weights=[1, 2, 7], k=6))
other = random.Random(99)
state = other.getstate()
first = [other.random() for _ in range(3)]
other.setstate(state)
print(first == [other.random() for _ in range(3)])
print(random.Random(7).getrandbits(64) == random.Random(7).getrandbits(64))
print(random.Random(2024).randbytes(6).hex())
