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
from unit.test_runtime_imports import _out_of_bounds  # the unit half's helpers


def test_running_an_image_from_the_cli_loads_only_the_runtime(quickjs_image, tmp_path):
    script = tmp_path / "hi.js"
    script.write_text('print("hi")')
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "wasmimage", "run", quickjs_image, script],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "hi\n", done.stderr
    loaded = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "wasmimage.runtime.native" in loaded
    assert _out_of_bounds(loaded) == ["wasmimage.cli"]  # (wasmimage.__main__ runs as __main__)
