"""Broken recipes and toolchains are refused before anything runs, with one clear error.

The corpus is tests/bad_recipes/: one directory per case, laid over a copy of the
project's recipes/, toolchains/ and conformance/ (the real quickjs recipe stays beside
the broken one), and cases.yaml with the fragments the error must contain: the file, the
field and what is wrong. Each case is checked twice: loading the recipes directly, and
running `doit list` and `doit build` in a temporary copy of the project, which must exit
non-zero with that message before running any task or creating any output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wasmimage.errors import PipelineError
from wasmimage.recipe import load_recipes

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_recipes"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
MIN_CASES = 20


def make_project(root: Path, case: str | None, *, with_code: bool = False) -> Path:
    """A copy of the project's inputs with the case's files laid over them."""
    for part in ("recipes", "toolchains", "conformance"):
        shutil.copytree(REPO / part, root / part)
    if with_code:
        shutil.copy(REPO / "dodo.py", root / "dodo.py")
        shutil.copytree(REPO / "wasmimage", root / "wasmimage",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if case is not None:
        shutil.copytree(CORPUS / case, root, dirs_exist_ok=True)
    return root


def load(root: Path):
    return load_recipes(root / "recipes", root / "toolchains", root / "conformance")


def error_of(root: Path) -> str:
    with pytest.raises(PipelineError) as err:
        load(root)
    return str(err.value)


def test_corpus_is_large_enough_and_complete():
    assert len(CASES) >= MIN_CASES
    dirs = {p.name for p in CORPUS.iterdir() if p.is_dir()} - {"base"}
    assert dirs == set(CASES), "every case directory is declared in cases.yaml and vice versa"
    for name, case in CASES.items():
        assert case["expect"] and case["why"], name
        assert any(f.startswith(("recipes/", "toolchains/")) for f in case["expect"]), \
            f"{name}: the expected message must name the file"


def test_base_recipe_is_valid(tmp_path):
    """The corpus's starting point loads, so each case fails for its own defect only."""
    root = make_project(tmp_path, "base")
    names = [r.name for r in load(root)]
    assert names == sorted(["demo", *(p.stem for p in (REPO / "recipes").glob("*.yaml"))])


@pytest.mark.parametrize("case", sorted(CASES))
def test_loading_fails_with_one_clear_error(tmp_path, case):
    message = error_of(make_project(tmp_path, case))
    for fragment in CASES[case]["expect"]:
        assert fragment in message, f"{case}: {fragment!r} missing from the error:\n{message}"
    assert "Traceback" not in message
    assert message.count(f"{tmp_path}/") >= 1, "the file is named by its full path"


def _doit(root: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WASMIMAGE_")}
    env["WASMIMAGE_CACHE_DIR"] = str(root / ".cache" / "sources")
    return subprocess.Popen([sys.executable, "-m", "doit", *args], cwd=root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _tree(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("case", sorted(CASES))
def test_doit_refuses_to_start(tmp_path, case):
    root = make_project(tmp_path / "project", case, with_code=True)
    before = _tree(root)
    runs = {command: _doit(root, command) for command in ("list", "build")}  # side by side: half the wait
    for command, process in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        output = stdout + stderr
        assert process.returncode != 0, f"doit {command} succeeded:\n{output}"
        for fragment in CASES[case]["expect"]:
            assert fragment in output, f"doit {command}: {fragment!r} missing from:\n{output}"
        assert "Traceback" not in output, output
        assert f"{root}/" in output
        assert ". " not in stdout, f"doit {command} started a task:\n{stdout}"
    assert _tree(root) == before, "nothing was created: no artifacts/, build/, cache or task database"


def test_doit_accepts_the_base_recipe(tmp_path):
    """Control: the same harness with the valid recipe lists its tasks."""
    root = make_project(tmp_path / "project", "base", with_code=True)
    stdout, stderr = _doit(root, "list", "--all").communicate(timeout=120)
    assert "compile:demo" in stdout and "compile:quickjs" in stdout, stderr
