# string module, str methods, textwrap, str.format with fields and templates.
import string
import textwrap

print(string.ascii_lowercase, string.digits, string.punctuation[:10], len(string.printable))
t = string.Template("$who likes ${what}s; cost $$5")
print(t.substitute(who="Tim", what="kiwi"), t.safe_substitute(who="Ann"))
print(string.capwords("hello   wide  world"), "{0}-{1}-{0}".format("a", "b"), "{x[1]}/{y.real}".format(x=[5, 6], y=3))
print("{:>6}|{:<6}|{:^6}|{:*>6}".format("ab", "cd", "ef", "gh"), "{name!r:>8}".format(name="q"))
text = ("Python is a programming language that lets you work quickly "
        "and integrate systems more effectively. It is used widely.")
print(textwrap.fill(text, width=30))
print(textwrap.wrap(text, width=40)[1], len(textwrap.wrap(text, 20)))
print(textwrap.shorten(text, width=40, placeholder=" [...]"))
print(textwrap.indent("line one\n\nline two", "> "))
print(repr(textwrap.dedent("""\
    def f():
        return 1
    """)))
print("a-b-c".partition("-"), "a-b-c".rpartition("-"), "a-b-c".rsplit("-", 1), "abc".removeprefix("ab"))
print("Hello".ljust(8, ".") + "|", "tab\tsep".expandtabs(4), "x".join(["1", "2"]), "Mississippi".count("ss"))
print("title case string".title(), "snake_case_name".replace("_", " ").split(), "abc".translate(str.maketrans("ab", "xy", "c")))
print("%-5s|%5s|%05d|%.3s" % ("ab", "cd", 42, "abcdef"), "%(a)s+%(b)s" % {"a": 1, "b": 2})
print("line1\nline2\r\nline3".splitlines(), "a\nb\n".splitlines(keepends=True), "one two".startswith(("x", "one")))
