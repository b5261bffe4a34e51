# unicodedata: normalisation forms, character names and categories.
import unicodedata

composed = "café"
decomposed = unicodedata.normalize("NFD", composed)
print(len(composed), len(decomposed), composed == decomposed, [hex(ord(c)) for c in decomposed[-2:]])
recomposed = unicodedata.normalize("NFC", "e\u0301")
print(len(recomposed), recomposed == "é", unicodedata.normalize("NFC", decomposed) == composed)
print(unicodedata.normalize("NFKC", "ﬁ ① Ⅻ ｆｕｌｌ"), unicodedata.normalize("NFKD", "²") == "2")
print(unicodedata.normalize("NFD", "Å") == "A\u030a", len(unicodedata.normalize("NFD", "한")))
for ch in ["é", "中", "7", " ", "€", "\u0301"]:
    print(hex(ord(ch)), unicodedata.category(ch), unicodedata.name(ch))
print(unicodedata.lookup("SNOWMAN"), unicodedata.lookup("GREEK SMALL LETTER LAMDA"), unicodedata.name("\x00", "no name"))
try:
    unicodedata.lookup("NOT A REAL CHARACTER NAME")
except KeyError:
    print("KeyError for unknown name")
words = ["résumé", "re\u0301sume\u0301"]
print(words[0] == words[1], len({unicodedata.normalize("NFC", w) for w in words}))
