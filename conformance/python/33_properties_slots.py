# Properties (getter/setter, read-only) and __slots__.
class Account:
    __slots__ = ("_balance", "owner")

    def __init__(self, owner, balance=0):
        self.owner = owner
        self._balance = balance

    @property
    def balance(self):
        return self._balance

    @balance.setter
    def balance(self, value):
        if value < 0:
            raise ValueError("negative balance")
        self._balance = value

    @property
    def summary(self):
        return f"{self.owner}: {self._balance}"


a = Account("ann", 10)
a.balance = 25
print(a.owner, a.balance, a.summary)
try:
    a.balance = -1
except ValueError as e:
    print("ValueError:", e)
print(a.balance, hasattr(a, "__dict__"), Account.__slots__, type(Account.balance).__name__)
for attempt in ["a.nickname = 'x'", "a.summary = 'x'"]:
    try:
        exec(attempt)
    except AttributeError:
        print("AttributeError:", attempt)
