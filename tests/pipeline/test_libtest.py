"""CPython's own test suite in the cpython image (issue 27 item 6; benchmarks/libtest.py): the CI subset
passes, judged by its counts, and every module that does not pass in the published table (docs/libtest.md)
has its reason; the writable scratch directory those runs are granted is the call's own.

The tests that run the image are slow: they need the cpython image (built from source, or an artifact
cache hit), and unpack Lib/test from the recipe's pinned tarball once (into build/bench/libtest/); the
subset then takes about 5 s. The check of the published table needs neither.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.libtest import PASSING, Suite, lib_dir, run_modules
from helpers.project import ROOT, built_image
from wasmimage.pipeline.project import Project
from wasmimage.runtime.image import Image, open_image
from wasmimage.settings import Settings

PUBLISHED = ROOT / "docs" / "libtest.md"


@pytest.fixture(scope="module")
def cpython() -> Image:
    return open_image(built_image("cpython"))


@pytest.mark.slow
def test_the_ci_subset_passes_in_the_cpython_image(cpython: Image) -> None:
    suite, project = Suite.load(), Project(ROOT, Settings.from_environ())
    lib = lib_dir(project.recipe("cpython"), project.fetch_settings, ROOT / "build" / "bench")
    results = run_modules(cpython, suite.quick, lib, suite.limits, project.native_store)
    assert [r.module for r in results] == list(suite.quick)
    for result in results:
        assert result.status == "passed", f"{result.module}: {result.status}: {result.first_problem()}"
        assert result.passed_tests >= 10, f"{result.module}: {result.counts}"
    tempfile = next(r for r in results if r.module == "test_tempfile")
    # Its tests write files: with no writable directory most of them error (tempfile finds no usable directory).
    assert tempfile.count("run") - tempfile.count("skipped") >= 50, tempfile.counts


def published_table(image: str) -> dict[str, str]:
    """Module -> result, from the image's table in docs/libtest.md."""
    text = PUBLISHED.read_text()
    section = text.split(f"\n## {image} (", 1)[1].split("\n## ", 1)[0]
    return {module: result.strip("*") for module, result in re.findall(r"^\| `(test_\w+)` \| ([^|]+?) \|", section,
                                                                         re.MULTILINE)}


def test_every_module_that_fails_in_the_cpython_image_has_its_reason() -> None:
    """The published table is of the current list, and each module in it that does not pass is explained in
    conformance/libtest/reasons.yaml (a module that passes again must leave it: the report says so)."""
    suite, table = Suite.load(), published_table("cpython")
    assert sorted(table) == sorted(suite.modules), "docs/libtest.md is stale: python -m benchmarks --only libtest"
    reasons = suite.reasons.get("cpython", {})
    assert [m for m, result in table.items() if result not in PASSING and m not in reasons] == []
    assert [m for m, result in table.items() if result == "passed" and m in reasons] == []


@pytest.mark.slow
def test_the_scratch_directory_is_writable_and_the_calls_own(cpython: Image, python, tmp_path: Path) -> None:
    """scratch= is the one writable grant: a new, empty directory per call; what a call leaves there is gone,
    and a dirs= grant beside it stays read-only."""
    (tmp_path / "data.txt").write_text("data")
    source = """
import os
print(sorted(os.listdir("/scratch")))
with open("/scratch/left.txt", "w") as f:
    f.write("written")
os.mkdir("/scratch/sub")
print(open("/scratch/left.txt").read(), sorted(os.listdir("/scratch")))
try:
    open("/data/new.txt", "w")
except OSError as exc:
    print("read-only:", type(exc).__name__)
"""
    for _ in range(2):
        result = python(cpython, source, dirs={"/data": tmp_path}, scratch="/scratch")
        assert result.outcome == "ok", result.stderr.decode()
        assert result.stdout.decode().splitlines() == ["[]", "written ['left.txt', 'sub']",
                                                       "read-only: PermissionError"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]
