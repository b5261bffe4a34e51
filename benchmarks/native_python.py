"""The native references for the Python images: CPython 3.13 built from the cpython recipe's pinned tarball.

Configured like the recipe's own native build Python (no ensurepip, no test modules, the
compiler's default optimisation, the same as the wasm side's), built into
build/bench/native-cpython/<key>/ and reused while the key (tarball, configure arguments,
compiler) is unchanged. A native RustPython is not built here: see NATIVE_RUSTPYTHON.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from wasmimage.fetch import fetch, unpack
from wasmimage.recipe import Recipe

from benchmarks.native import CC, compiler_version

CONFIGURE = ("--without-ensurepip", "--disable-test-modules", f"CC={CC}")
# Why the RustPython row has no native baseline (a host `cargo build --release` of the same
# vendored crates costs about 15 CPU-minutes; not wired up yet).
NATIVE_RUSTPYTHON = "host cargo build --release of the same vendored crates (~15 CPU-minutes) is not wired up yet"


def native_cpython_key(recipe: Recipe) -> str:
    h = hashlib.sha256()
    for part in (recipe.sources[0].sha256 or "", " ".join(CONFIGURE), compiler_version()):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def native_cpython_path(recipe: Recipe, scratch: Path) -> Path:
    return scratch / "native-cpython" / native_cpython_key(recipe) / "build" / "python"


def build_native_cpython(recipe: Recipe, fetch_settings, scratch: Path) -> Path:
    """The native python binary (a few minutes on 2 cores), run from its build directory."""
    binary = native_cpython_path(recipe, scratch)
    if binary.is_file():
        return binary
    work = binary.parent.parent
    work.mkdir(parents=True, exist_ok=True)
    source = next(s for s in recipe.sources if s.name == "python")
    src, partial = work / "src", work / "build.partial"
    unpack(source, fetch(source, fetch_settings), src)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    print(f"[bench] building native CPython {recipe.version} in {work}", file=sys.stderr, flush=True)
    _run([str(src / "configure"), "-q", *CONFIGURE], partial)
    _run(["make", "-s", f"-j{os.cpu_count() or 1}", "all"], partial)
    shutil.rmtree(binary.parent, ignore_errors=True)
    partial.replace(binary.parent)
    return binary


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"native CPython build failed: {' '.join(command)}\n{result.stderr[-2000:]}")
