"""The checkout under test, throwaway copies of it, and doit run in them as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from wasmimage.pipeline.project import Project

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SOURCE_CACHE = ROOT / ".cache" / "sources"
QUICKJS_TAG = Project(ROOT).recipe("quickjs").tag  # the image tests build, publish and pull


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
