# Non-ASCII identifiers (PEP 3131), normalised with NFKC, and unicode in attributes and keywords.
ñame = "spanish"
π = 3.14159
数量 = 7


class Ünicode:
    größe = 10

    def méthode(self, paramètre=1):
        return paramètre * 2


def fonction(ключ, **kwargs):
    return ключ, sorted(kwargs)


print(ñame, π * 2, 数量 + 1, Ünicode.größe, Ünicode().méthode(paramètre=4))
print(fonction(ключ="k", δ=1, β=2))
ﬁle = "ligature normalised"
print(file)
ｘ = "fullwidth normalised"
print(x)
print("ñame".isidentifier(), "1x".isidentifier(), "ℌ".isidentifier(), "a-b".isidentifier())
print(sorted(k for k in vars() if not k.isascii()))
print(getattr(Ünicode, "größe"), Ünicode.__name__, Ünicode.méthode.__qualname__)
