"""The pypi-wheel kind: one published wheel, `NAME==VERSION` and its file name, pinned by sha256.

Only toolchains use it (a `pypi-wheel` provider: wasmimage/tools.py), never a recipe. Upstream
is `pip download` for the platforms the file name's tag names, so the machine's own index
configuration applies; a mirror holds the wheel under its file name.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from wasmimage.errors import Unavailable
from wasmimage.sources.base import MIRRORS_ENV, Kind, Way

if TYPE_CHECKING:
    from wasmimage.recipe import Source


def platforms(filename: str) -> list[str]:
    """The platform tags of a wheel's file name (`..._x86_64.manylinux2014_x86_64.whl`)."""
    return filename.removesuffix(".whl").rsplit("-", 1)[-1].split(".")


def pip_download(source: Source, tmp: Path) -> str:
    """`pip download` the wheel into tmp; the caller checks its sha256."""
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".pip-") as work:
        command = [sys.executable, "-m", "pip", "download", "--only-binary", ":all:", "--no-deps",
                   *(f"--platform={p}" for p in platforms(source.filename)),
                   "--disable-pip-version-check", "-q", "-d", work, source.location]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        got = list(Path(work).iterdir())
        if result.returncode != 0 or [p.name for p in got] != [source.filename]:
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:] or \
                [f"it brought {', '.join(p.name for p in got) or 'nothing'}, not {source.filename}"]
            raise Unavailable(f"{source.name}: pip download {source.location} failed:\n  " + "\n  ".join(detail)
                              + f"\n  put {source.filename} in a mirror ({MIRRORS_ENV}) to build offline")
        shutil.move(got[0], tmp)
    return f"pip download {source.location}"


KIND = Kind("pypi-wheel", lambda source, ctx: [Way(lambda tmp: pip_download(source, tmp))])
