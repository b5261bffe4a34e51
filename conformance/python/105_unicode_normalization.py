# Unicode normalisation in practice: composed vs decomposed text compares unequal until normalised.
import unicodedata

composed = "café"
decomposed = "cafe\u0301"
print(composed == decomposed, len(composed), len(decomposed))
for form in ("NFC", "NFD", "NFKC", "NFKD"):
    print(form, [len(unicodedata.normalize(form, s)) for s in (composed, decomposed, "ﬁ①²", "Å")])
print(unicodedata.normalize("NFC", decomposed) == composed, unicodedata.is_normalized("NFC", decomposed))
print(unicodedata.normalize("NFKC", "ｆｕｌｌ　ｗｉｄｔｈ ①"), unicodedata.normalize("NFKD", "ǆ"))


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


print(strip_accents("Crème Brûlée à la Ñandú"))
print([unicodedata.combining(c) for c in decomposed], unicodedata.decomposition("é"), unicodedata.mirrored("("))
print(unicodedata.east_asian_width("世"), unicodedata.east_asian_width("a"), unicodedata.bidirectional("א"))
print(unicodedata.numeric("⅞"), unicodedata.digit("٧"), unicodedata.decimal("９"), unicodedata.lookup("SNOWMAN"))
print(sorted(["é", "e", "f", "E"]), sorted(["é", "e", "f", "E"], key=lambda s: strip_accents(s).casefold()))
