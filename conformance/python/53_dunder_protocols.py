# Container and conversion protocols: len/getitem/iter/contains/bool/call, __lt__, __index__.
class Deck:
    def __init__(self, cards):
        self.cards = list(cards)

    def __len__(self):
        return len(self.cards)

    def __getitem__(self, i):
        return self.cards[i]

    def __contains__(self, card):
        return card.upper() in self.cards

    def __call__(self, n):
        return self.cards[:n]


class Temperature:
    def __init__(self, deg):
        self.deg = deg

    def __lt__(self, other):
        return self.deg < other.deg

    def __index__(self):
        return int(self.deg)

    def __bool__(self):
        return self.deg > 0


d = Deck("AKQJ")
print(len(d), d[0], d[-1], d[1:3], list(d), "q" in d, "x" in d, d(2), bool(Deck([])), list(reversed(d)))
print([c for c in d if c != "K"], sorted(d), "".join(iter(d)), max(d), enumerate(d).__next__())
temps = [Temperature(30), Temperature(10), Temperature(20)]
print([t.deg for t in sorted(temps)], min(temps).deg, [0, 1, 2][Temperature(1.9)], bin(Temperature(5)))
print(bool(Temperature(-3)), "hot" if Temperature(1) else "cold", range(Temperature(3))[-1])
