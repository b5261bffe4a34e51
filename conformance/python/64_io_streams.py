# io: StringIO and BytesIO as files (seek/tell/readline/truncate), TextIOWrapper encodings.
import io

s = io.StringIO()
s.write("first line\n")
s.write("second line\nthird")
print(s.tell(), repr(s.getvalue()))
s.seek(0)
print(repr(s.readline()), repr(s.read(6)), s.readlines())
s.seek(6)
s.truncate()
print(repr(s.getvalue()))
print(list(io.StringIO("a\nb\r\nc")))
print(io.StringIO("x\ny\n", newline=None).read().splitlines())

b = io.BytesIO(b"\x00\x01\x02hello")
print(b.read(3), b.read(), b.tell())
b.seek(-5, io.SEEK_END)
print(b.read(2))
b.seek(0, io.SEEK_END)
b.write(b" world")
print(b.getvalue(), len(b.getbuffer()))

raw = io.BytesIO()
text = io.TextIOWrapper(raw, encoding="utf-16-le", newline="\n")
text.write("hé€\n")
text.flush()
print(raw.getvalue().hex())
text.seek(0)
print(repr(text.read()))

with io.StringIO("closing") as handle:
    print(handle.read())
print(handle.closed)
try:
    handle.read()
except ValueError as e:
    print("ValueError:", e)
