"""Shared fixtures: the repository's QuickJS and RustPython images, and throwaway copies of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wasmimage.project import Project

ROOT = Path(__file__).resolve().parent.parent
QUICKJS_IMAGE = ROOT / "artifacts" / "images" / "quickjs" / "0.17.0-r1"
SOURCE_CACHE = ROOT / ".cache" / "sources"


def doit(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run doit in `cwd` as a user would, capturing its output."""
    result = subprocess.run([sys.executable, "-m", "doit", *args], cwd=cwd, env={**os.environ, **(env or {})},
                            capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"doit {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def copy_project(dest: Path) -> Path:
    """Copy the files git knows (tracked or not ignored) to dest: a fresh clone without the history."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def built_image(recipe: str = "quickjs") -> Path:
    """The checkout's image for `recipe`, brought up to date by doit (a no-op, about 0.5 s, when it is)."""
    doit(ROOT, f"build:{recipe}")
    return ROOT / "artifacts" / "images" / recipe / Project(ROOT).recipe(recipe).tag


@pytest.fixture(scope="session")
def quickjs_image() -> Path:
    """The repository's QuickJS image, up to date (a clean build takes about 35 s)."""
    return built_image("quickjs")


@pytest.fixture(scope="session")
def rustpython_image() -> Path:
    """The repository's RustPython image, up to date (a clean build takes tens of minutes)."""
    return built_image("rustpython")


@pytest.fixture(scope="session")
def source_cache(quickjs_image: Path) -> Path:
    """A filled source cache to share with project copies, so they need no network."""
    return SOURCE_CACHE


def cwasm_printing(text: bytes) -> bytes:
    """A valid .cwasm for this engine that prints text and exits 0: what injected native code
    looks like to wasmtime (if a test's output shows the text, the planted code ran)."""
    import wasmtime

    from wasmimage.runtime.engine import engine

    data = "".join(f"\\{b:02x}" for b in text)
    wat = f"""(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "{data}")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const {len(text)}))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""
    return wasmtime.Module(engine(), wat).serialize()
