# Codecs: UTF-8/16/32 with and without BOMs, latin-1 and cp1252, error handlers both ways.
text = "Zoë €5 🐍"
for codec in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1", "cp1252", "ascii"):
    try:
        data = text.encode(codec)
        print(codec, len(data), data[:6].hex(), data.decode(codec) == text)
    except UnicodeEncodeError as e:
        print(codec, "UnicodeEncodeError at", e.start, e.end, e.reason)
for handler in ("replace", "ignore", "backslashreplace", "xmlcharrefreplace", "namereplace"):
    print(handler, text.encode("ascii", errors=handler))
bad = b"ok \xff\xfe end \xc3"
for handler in ("replace", "ignore", "backslashreplace", "surrogateescape"):
    decoded = bad.decode("utf-8", errors=handler)
    print(handler, ascii(decoded))
print(bad.decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape") == bad)
try:
    bad.decode("utf-8")
except UnicodeDecodeError as e:
    print("UnicodeDecodeError:", e.encoding, e.start, e.end, e.reason)
print("\ufeffbom".encode("utf-8")[:3].hex(), b"\xef\xbb\xbfhi".decode("utf-8-sig"), "x".encode("utf-16")[:2] in (b"\xff\xfe", b"\xfe\xff"))
print(ascii("\ud800"), "\ud83d\udc0d" == "🐍", len("🐍".encode("utf-16-le")), "🐍".encode("utf-16-le").decode("utf-16-le"))
