# re: groups, named groups, unicode classes, sub with a function, findall, flags.
import re

log = "2024-01-15 ERROR disk full; 2024-02-03 WARN cpu hot; 2024-03-09 ERROR net down"
pattern = re.compile(r"(?P<date>(\d{4})-(\d{2})-(\d{2})) (?P<level>[A-Z]+) (?P<msg>[^;]+)")
for m in pattern.finditer(log):
    print(m.group("date"), m.group(2), m["level"], repr(m.group("msg")), m.span("level"))
m = pattern.search(log)
print(m.groupdict())
print(m.groups())
print(re.findall(r"\d{4}-(\d{2})", log), re.findall(r"(\w+) (\w+)", "a b c d"))
print(re.findall(r"\w+", "naïve café 東京 x_1"), re.findall(r"\w+", "naïve café", re.ASCII))
print(re.sub(r"\d+", lambda mo: str(int(mo.group()) * 2), "a1 b22 c333"))
print(re.sub(r"(?P<first>\w+) (?P<last>\w+)", r"\g<last>, \g<first>", "Ada Lovelace"))
print(re.sub(r"(a)(b)?", r"[\1\2]", "ab a"), re.subn(r"o", "0", "foo boo"))
print(re.split(r"[,;]\s*", "a, b;c,  d"), re.split(r"(-)", "x-y-z"), re.split(r"\s+", " lead"))
print(bool(re.match(r"hello", "HELLO world", re.I)), re.match(r"world", "hello world"))
print(re.fullmatch(r"[a-z]+\d*", "abc123") is not None, re.fullmatch(r"[a-z]+", "abc1"))
text = """first line
second line
third"""
print(re.findall(r"^\w+", text, re.M), re.findall(r"line$", text, re.M), repr(re.search(r"e.s", text, re.S).group()))
verbose = re.compile(r"""
    (\d{3})   # area
    [-.\s]?
    (\d{4})   # number
""", re.X)
print(verbose.findall("555-1234 and 555.9876 and 5551111"))
print(re.escape("a.b*c"), re.findall(r"(?<=\$)\d+(?:\.\d\d)?", "cost $15 or $3.50"), re.findall(r"a(?!b)", "ab ac ad"))
print(re.sub(r"(?i)straße", "street", "STRASSE Straße"), re.findall(r"\bcat\b", "cat concat cat."))
print(re.findall(r"(a+?)(a*)", "aaa"), re.search(r"(x)|(y)", "y").groups())
