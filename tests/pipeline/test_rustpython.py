"""The RustPython image, built for real from the crate registry (slow: a clean compile takes
tens of minutes on two cores; the checkout's build is shared through `built_image`)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.project import ROOT, SOURCE_CACHE, copy_project, doit
from wasmimage.runtime.runner import Limits, run

pytestmark = pytest.mark.slow
TAG = "0.6.0-r3"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_image_is_verified_and_pins_the_crate_and_its_vendored_crates(rustpython_image: Path):
    manifest = json.loads((rustpython_image / "image.json").read_text())
    report = json.loads((rustpython_image / "conformance-report.json").read_text())
    assert sorted(report["suites"]) == ["hostile/python", "protocol/python", "python", "wikifunctions/python"]
    cases = len(list((ROOT / "conformance" / "python").glob("*.py")))
    suite = report["suites"]["python"]
    assert len(suite["passed"]) + len(suite["expected_failures"]) == cases, "every Python case ran"
    assert manifest["conformance"]["failed"] == 0
    crate, crates = manifest["sources"]
    assert crate["crate"] == "rustpython==0.6.0" and crate["sha256"]
    assert crates["cargo-vendor"] == "rustpython" and crates["pinned"] is True


def test_a_script_runs_like_python(rustpython_image: Path, tmp_path: Path):
    script = tmp_path / "main.py"
    script.write_text("import sys, json\nprint(json.dumps({'sum': sum(range(10))}))\n"
                      "print(sys.stdin.read().upper(), end='')\nsys.exit(3)\n")
    result = subprocess.run([sys.executable, "-m", "wasmimage", "run", str(rustpython_image), str(script)],
                            input=b"piped in\n", capture_output=True, check=False)
    assert (result.returncode, result.stdout) == (3, b'{"sum": 45}\nPIPED IN\n'), result.stderr


def test_the_sandbox_grants_no_file_and_no_environment(rustpython_image: Path):
    result = run(rustpython_image, "import os\n"
                                   "try:\n    open('/etc/passwd')\n"
                                   "except OSError as e:\n    print('denied', type(e).__name__)\n"
                                   "print(dict(os.environ))\n")
    assert result.outcome == "ok", result.stderr
    assert result.stdout.splitlines() == [b"denied OSError", b"{}"]


def test_unbounded_recursion_ends_the_call_not_the_host(rustpython_image: Path):
    """A raised recursion limit lets Python recurse until wasm's stack runs out: a trap, never a host crash."""
    deep = run(rustpython_image, "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)\n",
               limits=Limits(timeout=30))
    assert deep.outcome in ("trap", "error"), (deep.outcome, deep.reason)
    plain = run(rustpython_image,
                "def f():\n    return f()\ntry:\n    f()\nexcept RecursionError:\n    print('caught')\n",
                limits=Limits(timeout=30))
    assert (plain.outcome, plain.stdout) == ("ok", b"caught\n"), plain.stderr
    assert run(rustpython_image, 'print("canary")').stdout == b"canary\n"


def test_version_names_the_release_not_the_checkout(rustpython_image: Path):
    """sys.version carries git facts from the build: they must come from the pinned release, not the
    repository the build tree happens to sit in, nor the clock (fails if a checkout's commit leaks in)."""
    result = run(rustpython_image, "import sys\nprint(sys.version)\n")
    assert result.outcome == "ok", result.stderr
    assert "(heads/rustpython-0.6.0:" in result.stdout.decode() and "1970, 00:00:00)" in result.stdout.decode()


def test_another_directory_builds_identical_bytes(rustpython_image: Path, tmp_path: Path):
    """A second clean compile (its own artifact cache) in another directory gives the same bytes,
    the snapshot's reactor and the snapshot made from it included."""
    project = copy_project(tmp_path / "elsewhere" / "rustpython")
    doit(project, "build:rustpython", env={"WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "artifacts"),
                                           "WASMIMAGE_CACHE_REGISTRY": "",
                                           "WASMIMAGE_CACHE_DIR": str(SOURCE_CACHE)})
    second = project / "artifacts" / "images" / "rustpython" / TAG
    for name in ("rustpython.wasm", "rustpython.cwasm", "rustpython-snapshot.wasm", "rustpython-snapshot.cwasm",
                 "image.json"):
        assert sha256(rustpython_image / name) == sha256(second / name), name
