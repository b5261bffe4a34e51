"""Smoke test of the benchmarks: `python -m benchmarks --quick` runs every measurement and reports it.

The Python section measures the rustpython and cpython images the checkout has built (none is
built for this test); its steady state runs only if a full run built native CPython before.

Slow because it builds the native QuickJS reference (about 30 s, then cached under
build/bench/) and JIT-compiles the .wasm a few times. It writes to a temporary file,
never to docs/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.project import ROOT
from wasmimage.project import Project

ROWS = (
    "size.wasm", "size.cwasm", "size.image_tgz",
    "cold.aot", "cold.jit", "cold.load",
    "cold.cli.wasmtime-48-lts", "cold.cli.wasmtime-48-lts.jit", "cold.cli.wikifunctions", "cold.cli.wikifunctions.jit",
    "cold.process", "cold.process.cpu", "cold.native",
    "steady.fib", "steady.json", "steady.regex", "steady.strings", "steady.sort", "steady.geomean",
    "warm.1t", "warm.1t.p50", "warm.1t.p99", "warm.2t", "warm.2t.p50", "warm.2t.p99",
    "warm.snapshot.cpu", "warm.snapshot.rate", "warm.snapshot.call",
    "pipeline.clean", "pipeline.noop", "pipeline.clone",
)
# Per Python image present in the checkout's artifacts/images (an absent one is one "not available" row).
PYTHON_ROWS = ("wasm", "cwasm", "cold.aot", "cold.jit", "cold.cli.wikifunctions", "warm", "warm.p50", "steady.fib",
               "steady.json",
               "steady.regex", "steady.strings", "steady.sort", "snapshot")
GOALS = ("cold start vs JIT compile", "steady state vs native", "warm calls on one core",
         "warm call CPU, snapshot, public API", "fresh process CPU vs python -c pass", "no-op build")


@pytest.mark.slow
def test_quick_benchmark_reports_every_row(tmp_path: Path, quickjs_image: Path):
    output = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output), "--image", str(quickjs_image)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"

    report = output.read_text()
    table = [line for line in report.splitlines() if line.startswith("| `")]
    keys = [line.split("`")[1] for line in table]
    assert keys[:len(ROWS)] == list(ROWS)
    python_keys = keys[len(ROWS):]
    for language in ("rustpython", "cpython"):
        if (ROOT / "artifacts" / "images" / language / Project(ROOT).recipe(language).tag / "image.json").is_file():
            assert {f"py.{language}.{key}" for key in PYTHON_ROWS} <= set(python_keys), python_keys
            row = next(line for line in table if line.startswith(f"| `py.{language}.cold.aot` |"))
            assert any(ch.isdigit() for ch in row.split("|")[3]), f"{language} cold start has no value: {row}"
        else:
            assert f"| `py.{language}` | {language} image | not available |" in report
    if "py.cpython.wasm" in python_keys:
        assert "py.cpython.mounted.python313.zip" in python_keys
        assert "cpython: warm call, snapshot vs no snapshot" in report, "the cpython image has a snapshot"
    for key in ("cold.aot", "cold.jit", "cold.cli.wikifunctions", "cold.cli.wikifunctions.jit", "steady.fib",
                "steady.geomean", "warm.1t", "warm.snapshot.cpu", "size.cwasm"):
        row = next(line for line in table if line.startswith(f"| `{key}` |"))
        assert any(ch.isdigit() for ch in row.split("|")[3]), f"{key} has no measured value: {row}"
    assert "| `pipeline.clean` | clean `doit build:quickjs` in a fresh copy | skipped (--quick) |" in report
    assert "| `pipeline.clone` | cache-hit `doit build:quickjs` in a fresh copy | skipped (--quick) |" in report

    for goal in GOALS:
        assert goal in report and goal in result.stdout
    assert "## Machine" in report and "wasmtime" in report and "commit" in report
    for key in keys:  # the console table too
        assert key in result.stdout
    chart = tmp_path / "bench-startup.png"
    assert chart.is_file() or "No chart: matplotlib is not installed" in report


def test_only_python_reports_missing_images(tmp_path: Path):
    """`--only python` runs that section alone; an image directory without Python images gives rows saying so."""
    output, empty = tmp_path / "python.md", tmp_path / "no-images"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "python", "--python-images", str(empty),
         "--output", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    table = [line for line in output.read_text().splitlines() if line.startswith("| `")]
    assert [line.split("`")[1] for line in table] == ["py.rustpython", "py.cpython"]
    for language in ("rustpython", "cpython"):
        tag = Project(ROOT).recipe(language).tag
        assert f"no image at {empty / language / tag}" in output.read_text()
    assert "[bench] size" not in result.stderr and "[bench] python" in result.stderr


def test_perf_calls_measures_every_path(quickjs_image: Path):
    """benchmarks/perf_calls.py, run by hand, still runs: cold start, then each call path warm."""
    result = subprocess.run([sys.executable, "-m", "benchmarks.perf_calls", str(quickjs_image)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("cold: ")
    for label in ("script", "script, command (no snapshot)", "call"):
        assert f"warm {label}: median" in result.stdout and f"throughput {label}, 2 thread(s)" in result.stdout
