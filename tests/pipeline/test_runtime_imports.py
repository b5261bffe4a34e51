"""The run half stands alone, seen from a real run of the QuickJS image (the imports themselves:
tests/unit/test_runtime_imports.py).

wasmimage.runtime and the CLI's run/call path must load none of the pipeline's libraries
(the `build` extra) and none of the build half's modules; `-X importtime` lists every module
a real `python -m wasmimage run` loaded.
"""

from __future__ import annotations

import subprocess
import sys

from helpers.project import ROOT
from unit.test_runtime_imports import CLI_RUN_SIDE, _out_of_bounds  # the unit half's helpers


def test_running_an_image_from_the_cli_loads_only_the_runtime(quickjs_image, tmp_path):
    script = tmp_path / "hi.js"
    script.write_text('print("hi")')
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "wasmimage", "run", quickjs_image, script],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "hi\n", done.stderr
    loaded = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "wasmimage.runtime.native" in loaded
    assert set(_out_of_bounds(loaded)) == CLI_RUN_SIDE  # (wasmimage.__main__ runs as __main__)
    assert "wasmimage.registry.client" not in loaded


def test_the_package_top_runs_and_calls_loading_only_the_runtime(quickjs_image):
    """wasmimage.run / wasmimage.call, the stable API an evaluator embeds, from a clean interpreter."""
    probe = ("import sys, wasmimage\n"
             f"r = wasmimage.run({str(quickjs_image)!r}, 'print(6 * 7)')\n"
             f"c = wasmimage.call({str(quickjs_image)!r}, "
             "{'function': 'function add(a, b) { return a + b }', 'name': 'add', 'args': [2, 3]})\n"
             "print(r.outcome, r.stdout.decode().strip(), c)\n"
             "print(sorted(sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, modules = done.stdout.splitlines()
    assert first == "ok 42 {'result': 5}"
    assert _out_of_bounds(eval(modules)) == []  # a list of module names, printed by the probe above
