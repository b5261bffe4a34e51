# Regular expressions on non-ASCII text: \w, \d and \s are Unicode-aware unless re.ASCII.
import re

text = "naïve café 東京 ٣٤ 42\u00a0x Straße ΣΊΣΥΦΟΣ"
print(re.findall(r"\w+", text))
print(re.findall(r"\d+", text), re.findall(r"\d+", text, re.ASCII))
print(re.findall(r"\w+", text, re.ASCII))
print(re.split(r"\s+", "a\u00a0b\u2003c\nd"), re.split(r"\s+", "a\u00a0b c", flags=re.ASCII))
print(re.findall(r"(?i)straße", "STRAßE straße"), re.fullmatch(r"(?i)σίσυφος", "ΣΊΣΥΦΟΣ") is not None)
print(re.sub(r"[^\x00-\x7f]", "?", "日本 ok é"), re.findall(r"[à-ÿ]", "àéîõü x"))
print(re.search(r"\bcafé\b", text).span(), len(re.findall(r".", "🐍🎉")), re.findall(r"\N{SNOWMAN}+", "☃☃ x"))
print(re.compile(r"(?P<word>\w+)@(?P<host>[\w.]+)").match("ünï@exämple.org").groupdict())
print([m.group() for m in re.finditer(r"\b\w", "élan vital über")], re.escape("ü.ö*"))
