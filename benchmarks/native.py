"""The native reference: the very same QuickJS sources and host program, built with gcc -O2.

Built from the pipeline's own verified source cache into build/bench/native/<key>/, and
reused while the key (sources, host program, flags, compiler) is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wasmimage.pipeline.fetch import fetch, unpack
from wasmimage.pipeline.recipe import Recipe

CC = "gcc"
# The recipe's compile flags, minus clang-only spellings (-Wno-everything is -w for gcc).
FLAGS = ("-O2", "-DNDEBUG", "-D_GNU_SOURCE", "-std=gnu11", "-w")
UNITS = ("quickjs", "libregexp", "libunicode", "dtoa")
LIBS = ("-lm", "-lpthread")


def compiler_version(cc: str = CC) -> str:
    result = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.splitlines()[0] if result.returncode == 0 else "unavailable"


def native_key(recipe: Recipe, host_c: Path) -> str:
    h = hashlib.sha256()
    for part in (*(s.sha256 or "" for s in recipe.sources), hashlib.sha256(host_c.read_bytes()).hexdigest(),
                 " ".join(FLAGS), " ".join(LIBS), compiler_version()):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


def build_native(recipe: Recipe, fetch_settings, scratch: Path) -> Path:
    """The native qjs-host binary, built (about 30 s on 2 cores) unless already there."""
    source = recipe.sources[0]
    host_c = recipe.recipe_dir / recipe.files[0]
    work = scratch / "native" / native_key(recipe, host_c)
    binary = work / "qjs-native"
    if binary.is_file():
        return binary
    (work / "obj").mkdir(parents=True, exist_ok=True)
    src = work / "src"
    unpack(source, fetch(source, fetch_settings), src)
    inputs = [src / f"{unit}.c" for unit in UNITS] + [host_c]
    print(f"[bench] building native QuickJS with {CC} {' '.join(FLAGS)} in {work}", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        objects = list(pool.map(lambda c: _compile(c, src, work / "obj"), inputs))
    partial = work / "qjs-native.partial"
    _run([CC, "-O2", *map(str, objects), *LIBS, "-o", str(partial)])
    partial.replace(binary)
    return binary


def _compile(c_file: Path, include: Path, out_dir: Path) -> Path:
    obj = out_dir / f"{c_file.stem}.o"
    _run([CC, *FLAGS, f"-I{include}", "-c", str(c_file), "-o", str(obj)])
    return obj


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"native build failed: {' '.join(command)}\n{result.stderr[-2000:]}")
