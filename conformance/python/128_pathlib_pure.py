# Pure paths: path arithmetic without touching any file system.
from pathlib import PurePosixPath, PureWindowsPath

p = PurePosixPath("/srv/data/archive.tar.gz")
print(p.name, p.stem, p.suffix, p.suffixes, p.parent, p.parts, p.anchor, p.is_absolute())
print(p.with_suffix(".zip"), p.with_name("x.txt"), p.with_stem("other"), p / "sub" / "..")
print(p.relative_to("/srv"), list(str(a) for a in p.parents), PurePosixPath("a//b/./c/"), PurePosixPath("a") / "/abs")
print(PurePosixPath("docs/readme.md").match("*.md"), PurePosixPath("a/b.py").match("a/*.py"), p.is_relative_to("/srv"))
w = PureWindowsPath(r"C:\Users\Ann\file.TXT")
print(w.drive, w.root, w.name, w.suffix, w.parent, w.as_posix(), w == PureWindowsPath("c:/users/ann/FILE.txt"))
print(sorted([PurePosixPath("b"), PurePosixPath("a/c"), PurePosixPath("a")]), PurePosixPath("x").joinpath("y", "z"))
try:
    p.relative_to("/other")
except ValueError:
    print("ValueError: not relative")
