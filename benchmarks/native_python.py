"""The native references for the Python images, each built once into build/bench/ and reused while its key holds.

CPython 3.13 from the cpython recipe's pinned tarball, configured like the recipe's own
native build Python (no ensurepip, no test modules, the compiler's default optimisation, the
same as the wasm side's); key: tarball, configure arguments, compiler.
RustPython from the rustpython recipe's pinned crate and vendored crates, `cargo build
--release` for the host with the image's features (about 15 CPU-minutes); key: both
archives, features, rustc.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.native import CC, compiler_version
from wasmimage.pipeline.fetch import fetch, unpack
from wasmimage.pipeline.recipe import Recipe
from wasmimage.sources import cargo

CONFIGURE = ("--without-ensurepip", "--disable-test-modules", f"CC={CC}")
CARGO, RUSTC = "/usr/bin/cargo", "/usr/bin/rustc"  # Debian's 1.96: the pinned crates need it (rustup's 1.95 is older)
RUSTPYTHON_FEATURES = "freeze-stdlib,stdlib,stdio,importlib,host_env"  # the recipe's


def native_cpython_path(recipe: Recipe, scratch: Path) -> Path:
    key = _key(recipe.sources[0].sha256 or "", " ".join(CONFIGURE), compiler_version())
    return scratch / "native-cpython" / key / "build" / "python"


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


def _key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def native_rustpython_path(recipe: Recipe, scratch: Path) -> Path:
    rustc = subprocess.run([RUSTC, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    key = _key(*(s.sha256 or "" for s in recipe.sources), RUSTPYTHON_FEATURES, rustc)
    return scratch / "native-rustpython" / key / "rustpython"


def build_native_rustpython(recipe: Recipe, fetch_settings, scratch: Path) -> Path:
    """The native rustpython binary, from the recipe's crate and its vendored dependencies, offline."""
    binary = native_rustpython_path(recipe, scratch)
    if binary.is_file():
        return binary
    work = binary.parent
    crate, vendored = (next(s for s in recipe.sources if s.kind == kind) for kind in ("crate", "cargo-vendor"))
    for source in (crate, vendored):
        (work / "src").mkdir(parents=True, exist_ok=True)
        if not (work / "src" / source.name).is_dir():  # unpack moves a complete tree in, or nothing
            unpack(source, fetch(source, fetch_settings), work / "src" / source.name)
    lock = work / "src" / crate.name / "Cargo.lock"
    config = work / "src" / vendored.name / "config.toml"
    config.write_text(cargo.source_config(cargo.parse_lock(lock.read_text(), str(lock)),
                                          work / "src" / vendored.name / cargo.TOP))
    print(f"[bench] building native RustPython {recipe.version} in {work} (about 15 CPU-minutes)", file=sys.stderr,
          flush=True)
    _run([CARGO, "build", "--config", str(config), "--release", "--locked", "--offline", f"-j{os.cpu_count() or 1}",
          "--manifest-path", str(work / "src" / crate.name / "Cargo.toml"), "--target-dir", str(work / "target"),
          "--no-default-features", "--features", RUSTPYTHON_FEATURES, "--bin", "rustpython"], work,
         {**os.environ, "RUSTC": RUSTC})
    partial = work / "rustpython.partial"
    shutil.copyfile(work / "target" / "release" / "rustpython", partial)
    partial.chmod(0o755)
    partial.replace(binary)
    return binary


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"native build failed: {' '.join(command)}\n{result.stderr[-2000:]}")
