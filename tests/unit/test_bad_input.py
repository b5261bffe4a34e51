"""Broken recipes, toolchains and engine profiles are refused before anything runs, with one clear error.

The corpus is tests/bad_recipes/: one directory per case, laid over a copy of the
project's recipes/, toolchains/, engines/ and conformance/ (the real quickjs recipe stays beside
the broken one), and cases.yaml with the fragments the error must contain: the file, the
field and what is wrong, and its kind when it is not InvalidInput (a file not there is NotFound).
Each case is checked twice: loading the recipes directly (here), and through doit, which must
refuse to start with that message before running any task or creating any output
(tests/pipeline/test_bad_input.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from wasmimage import errors
from wasmimage.errors import PipelineError
from wasmimage.pipeline.project import Project

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parents[1] / "bad_recipes"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
MIN_CASES = 20


def make_project(root: Path, case: str | None, *, with_code: bool = False) -> Path:
    """A copy of the project's inputs with the case's files laid over them."""
    for part in ("recipes", "toolchains", "engines", "conformance"):
        shutil.copytree(REPO / part, root / part)
    if with_code:
        shutil.copy(REPO / "dodo.py", root / "dodo.py")
        shutil.copytree(REPO / "wasmimage", root / "wasmimage",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if case is not None:
        shutil.copytree(CORPUS / case, root, dirs_exist_ok=True)
    return root


def load(root: Path):
    """What dodo.py validates before any task: every recipe, and the engine profiles they name."""
    return Project(root).recipes


def error_of(root: Path) -> PipelineError:
    with pytest.raises(PipelineError) as err:
        load(root)
    return err.value


def test_corpus_is_large_enough_and_complete():
    assert len(CASES) >= MIN_CASES
    dirs = {p.name for p in CORPUS.iterdir() if p.is_dir()} - {"base"}
    assert dirs == set(CASES), "every case directory is declared in cases.yaml and vice versa"
    for name, case in CASES.items():
        assert case["expect"] and case["why"], name
        assert any(f.startswith(("recipes/", "toolchains/", "engines/")) for f in case["expect"]), \
            f"{name}: the expected message must name the file"
        assert issubclass(getattr(errors, case.get("kind", "InvalidInput")), PipelineError), name


def test_base_recipe_is_valid(tmp_path):
    """The corpus's starting point loads, so each case fails for its own defect only."""
    root = make_project(tmp_path, "base")
    names = [r.name for r in load(root)]
    assert names == sorted(["demo", *(p.stem for p in (REPO / "recipes").glob("*.yaml"))])


@pytest.mark.parametrize("case", sorted(CASES))
def test_loading_fails_with_one_clear_error(tmp_path, case):
    error = error_of(make_project(tmp_path, case))
    message = str(error)
    assert type(error).__name__ == CASES[case].get("kind", "InvalidInput"), f"{case}: {message}"
    for fragment in CASES[case]["expect"]:
        assert fragment in message, f"{case}: {fragment!r} missing from the error:\n{message}"
    assert "Traceback" not in message
    assert message.count(f"{tmp_path}/") >= 1, "the file is named by its full path"
