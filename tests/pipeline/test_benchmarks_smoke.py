"""Smoke tests of the benchmarks: `python -m benchmarks --quick` runs every measurement and reports it,
and `--quick --levers` builds and runs every lever.

The fuel and Python sections measure the rustpython and cpython images the checkout has built (none
is built for these tests); the Python steady state runs only if a full run built native CPython before.

Slow because they build the native QuickJS reference (about 30 s, then cached under build/bench/),
JIT-compile the .wasm a few times and, for the levers, rebuild QuickJS with other flags. They write
to temporary files, never to docs/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.project import ROOT
from wasmimage.pipeline.project import Project

ROWS = (
    "size.wasm", "size.cwasm", "size.image_tgz",
    "cold.aot", "cold.jit", "cold.load",
    "cold.cli.wasmtime-48-lts", "cold.cli.wasmtime-48-lts.jit", "cold.cli.wikifunctions", "cold.cli.wikifunctions.jit",
    "cold.process", "cold.process.cpu", "cold.native",
    "steady.fib", "steady.json", "steady.regex", "steady.strings", "steady.sort", "steady.geomean",
    "warm.1t", "warm.1t.p50", "warm.1t.p99", "warm.2t", "warm.2t.p50", "warm.2t.p99",
    "warm.snapshot.cpu", "warm.snapshot.rate", "warm.snapshot.thread", "warm.snapshot.path", "warm.snapshot.call",
    "warm.snapshot.wikifunctions",
    "fuel.quickjs.hello.command", "fuel.quickjs.hello.snapshot", "fuel.quickjs.wikifunctions.command",
    "fuel.quickjs.wikifunctions.snapshot",
    "pipeline.clean", "pipeline.noop", "pipeline.clone",
)
PYTHON_IMAGES = ("rustpython", "cpython")
# Per Python image present in the checkout's artifacts/images (an absent one is one "not available" row each in
# the fuel and the python sections).
PYTHON_ROWS = ("wasm", "cwasm", "cold.aot", "cold.jit", "cold.cli.wikifunctions", "warm", "warm.p50", "steady.fib",
               "steady.json", "steady.regex", "steady.strings", "steady.sort", "steady.print", "snapshot",
               "wikifunctions")
FUEL_ROWS = ("hello.command", "hello.snapshot", "wikifunctions.command", "wikifunctions.snapshot")
GOALS = ("cold start vs JIT compile", "steady state vs native", "warm calls on one core",
         "warm call CPU, snapshot, public API", 'warm print("hi") CPU by path, QuickJS',
         "fresh process CPU vs python -c pass",
         "no-op build", *(f"{image}: warm Wikifunctions request CPU" for image in ("quickjs", *PYTHON_IMAGES)),
         *(f"{image}: trivial Wikifunctions request, fuel" for image in ("quickjs", *PYTHON_IMAGES)))


def table_keys(report: str) -> tuple[list[str], list[str]]:
    """The results table's lines, and their keys."""
    table = [line for line in report.splitlines() if line.startswith("| `")]
    return table, [line.split("`")[1] for line in table]


def measured(table: list[str], key: str) -> bool:
    row = next(line for line in table if line.startswith(f"| `{key}` |"))
    return any(ch.isdigit() for ch in row.split("|")[3])


@pytest.mark.slow
def test_quick_benchmark_reports_every_row(tmp_path: Path, quickjs_image: Path):
    output = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output), "--image", str(quickjs_image)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"

    report = output.read_text()
    table, keys = table_keys(report)
    python_keys = [key for key in keys if key.startswith(("py.", *(f"fuel.{image}" for image in PYTHON_IMAGES)))]
    assert [key for key in keys if key not in python_keys] == list(ROWS)
    for language in PYTHON_IMAGES:
        if (ROOT / "artifacts" / "images" / language / Project(ROOT).recipe(language).tag / "image.json").is_file():
            assert {f"py.{language}.{key}" for key in PYTHON_ROWS} <= set(python_keys), python_keys
            assert {f"fuel.{language}.{key}" for key in FUEL_ROWS} <= set(python_keys), python_keys
            for key in (f"py.{language}.cold.aot", f"py.{language}.wikifunctions", f"fuel.{language}.hello.command",
                        f"fuel.{language}.wikifunctions.command"):
                assert measured(table, key), f"{key} has no value"
        else:
            assert f"| `py.{language}` | {language} image | not available |" in report
            assert f"| `fuel.{language}` | {language} image | not available |" in report
    if "py.cpython.wasm" in python_keys:
        assert "py.cpython.mounted.python313.zip" in python_keys
        assert "cpython: warm call, snapshot vs no snapshot" in report, "the cpython image has a snapshot"
        assert measured(table, "fuel.cpython.wikifunctions.snapshot")
    for key in ("cold.aot", "cold.jit", "cold.cli.wikifunctions", "cold.cli.wikifunctions.jit", "steady.fib",
                "steady.geomean", "warm.1t", "warm.snapshot.cpu", "warm.snapshot.thread", "warm.snapshot.path",
                "warm.snapshot.wikifunctions",
                "fuel.quickjs.hello.snapshot", "fuel.quickjs.wikifunctions.snapshot", "size.cwasm"):
        assert measured(table, key), f"{key} has no measured value"
    assert "| `pipeline.clean` | clean `doit build:quickjs` in a fresh copy | skipped (--quick) |" in report
    assert "| `pipeline.clone` | cache-hit `doit build:quickjs` in a fresh copy | skipped (--quick) |" in report

    for goal in GOALS:
        assert goal in report and goal in result.stdout
    assert "## Machine" in report and "wasmtime" in report and "commit" in report
    for key in keys:  # the console table too
        assert key in result.stdout
    # scripts/setup installs the bench extra, so the environment the tests run in draws the chart.
    assert (tmp_path / "bench-startup.png").is_file() and "![start-up latency](bench-startup.png)" in report


@pytest.mark.slow
def test_every_lever_builds_and_runs_on_a_tiny_workload(tmp_path: Path, quickjs_image: Path):
    """A full run reports a lever that cannot be built or run as "not measured" and goes on, so this is where a
    broken one fails (the five compiler-flag variants once crashed unnoticed). The flag variants rebuild
    QuickJS (about 40 s each on 2 cores, then cached under build/bench/variants/ by key); the wasm-opt ones
    need binaryen, which scripts/setup installs."""
    output = tmp_path / "levers.md"
    only = [arg for name in ("cold start", "steady state", "warm evaluator") for arg in ("--only", name)]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--levers", *only, "--output", str(output),
         "--image", str(quickjs_image)], cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"

    report = output.read_text()
    levers_table = report.split("## Levers\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()[2:]
    levers = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in levers_table]
    assert {area for area, *_ in levers} == {"cold start", "steady state", "warm evaluator"}, levers
    assert [lever for lever in levers if lever[3] == "not measured"] == []
    # Every steady-state lever (one row each, measured or not) ran the workloads and agreed with the native build.
    assert all(outcome.startswith("geomean ") for area, _, outcome, _ in levers if area == "steady state"), levers
    assert "Steady state: the best shippable lever" in report and "Cold start: " in report


def test_only_python_reports_missing_images(tmp_path: Path):
    """`--only python` runs that section alone, for every Python recipe; an image directory without Python images
    gives rows saying so."""
    output, empty = tmp_path / "python.md", tmp_path / "no-images"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "python", "--python-images", str(empty),
         "--output", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    table = [line for line in output.read_text().splitlines() if line.startswith("| `")]
    python_recipes = [recipe for recipe in Project(ROOT).recipes if recipe.language == "python"]
    assert {"cpython", "rustpython"} <= {recipe.name for recipe in python_recipes}
    assert [line.split("`")[1] for line in table] == [f"py.{recipe.name}" for recipe in python_recipes]
    for recipe in python_recipes:
        assert f"no image at {empty / recipe.name / recipe.tag}" in output.read_text()
    assert "[bench] size" not in result.stderr and "[bench] python" in result.stderr


def test_perf_calls_measures_every_path(quickjs_image: Path):
    """benchmarks/perf_calls.py, run by hand, still runs: cold start, then each call path warm."""
    result = subprocess.run([sys.executable, "-m", "benchmarks.perf_calls", str(quickjs_image)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("cold: ")
    for label in ("script", "script, command (no snapshot)", "call"):
        assert f"warm {label}: median" in result.stdout and f"throughput {label}, 2 thread(s)" in result.stdout
