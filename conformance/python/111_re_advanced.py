# re: lookarounds, backreferences, conditionals, verbose patterns, split with groups, subn, fullmatch.
import re

print(re.findall(r"\d+(?=px)", "10px 20em 30px"), re.findall(r"(?<!\$)\b\d+", "$5 and 7 and $9 12"))
print(re.findall(r"(?<=@)\w+", "a@b c@dd"), re.sub(r"(\w)\1", r"<\1\1>", "aabbcd"), re.findall(r"(\w+) \1", "hey hey you you me"))
print([m.group() for m in re.finditer(r"^(<)?\w+(?(1)>)$", "<tag>\nplain\n<bad\n", re.M)])
phone = re.compile(r"""
    (?P<area>\d{3})   # area code
    [-.\s]?
    (?P<num>\d{4})    # number
""", re.VERBOSE)
print(phone.search("call 555-1234 now").groupdict(), phone.pattern.count("\n"))
print(re.split(r"([,;])", "a,b;c"), re.split(r"\s*", "ab c"), re.split(r"x", "axbxc", maxsplit=1))
print(re.subn(r"o", "0", "foo boo"), re.sub(r"(?P<w>\w+)", r"[\g<w>]", "hi there", count=1))
print(re.fullmatch(r"\d+", "123"), re.fullmatch(r"\d+", "123a"), re.match(r"a*", "bbb").span())
m = re.search(r"(a)(b)?(c)", "xacx")
print(m.groups(), m.groups("-"), m.span(3), m.start(), m.lastindex, m.re.groups, m[0])
print(re.sub(r"\d+", lambda m: str(int(m.group()) * 2), "1 22 333"), re.escape("a.b*c"))
print(re.findall(r"a.c", "a\nc abc", re.S), re.findall(r"^\w", "one\ntwo", re.M), re.I | re.M == re.M | re.I)
print(re.findall(r"<.*?>", "<a><b>"), re.findall(r"<.*>", "<a><b>"), re.findall(r"x{2,3}?", "xxxxx"))
try:
    re.compile(r"(unclosed")
except re.error as e:
    print("re.error:", e.msg, e.pos)
