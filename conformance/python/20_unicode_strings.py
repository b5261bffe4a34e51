# Unicode text: lengths, indexing, slicing, case mapping, casefold, predicates.
s = "Grüße, 世界! 👍🏽"
print(s, len(s), s[7:9], s[::-1])
print(s.upper(), s.lower(), "straße".upper(), "ǅ".lower(), "ǆ".title())
print("Straße".casefold() == "STRASSE".casefold(), "ﬁ".casefold(), "ΣΑΣ".lower())
print(len("İ".lower()), "ﬃ".upper(), "ŉ".upper(), "ǰ".upper() == "J\u030c", "ß".capitalize())
print([c for c in "aé中😀" if c.isalpha()], "٣".isdigit(), "½".isnumeric(), "x²".isalnum())
print(ord("€"), chr(0x1F600), hex(ord("ß")), "\u00e9" == "é", "\N{GREEK SMALL LETTER ALPHA}")
print(sorted(["zebra", "Äpfel", "apple", "Zoo", "éclair"]))
print("|".join(["a", "ñ", "中"]).center(11, "·"), "naïve".find("ï"), "x".join("αβγ"))
print("  spaced\t\n".strip(), "a,b,,c".split(","), "a b  c".split(), "é".isascii())
print("Hello World".swapcase(), "hello world".title(), "ab".zfill(5), "%s=%r" % ("k", "ü"))
