"""The Wikifunctions executor contract: executors, host side, CLI and published files.

conformance/wikifunctions/javascript runs in the quickjs image's verify stage (doit build).
The Python executor (recipes/python/wikifunctions.py) is also run here under the host's
CPython, every case that does not need the sandbox's limits, so its expectations are
Python's and it needs nothing beyond the standard library.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wasmimage.runtime import wikifunctions
from wasmimage.runtime.runner import Limits, RunResult
from wasmimage.verify import check_z22, discover_wikifunctions, wikifunctions_request

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "conformance" / "wikifunctions"
PYTHON_EXECUTOR = ROOT / "recipes" / "python" / "wikifunctions.py"
MIN_CASES = 25
PYTHON_CASES = discover_wikifunctions(SUITES / "python")


def test_each_language_has_the_suite_and_the_shared_requests():
    cases = {language: {case.name: case for case in discover_wikifunctions(SUITES / language)}
             for language in ("javascript", "python")}
    assert all(len(named) >= MIN_CASES for named in cases.values()), cases
    shared = cases["javascript"].keys() & cases["python"].keys()
    assert len(shared) >= MIN_CASES
    for name in shared:  # the same arguments, whatever the language of the code
        requests = [wikifunctions_request(cases[language][name]) for language in ("javascript", "python")]
        if all(isinstance(r, dict) for r in requests):
            assert requests[0].get("functionArguments") == requests[1].get("functionArguments"), name


def run_under_host_python(request: dict | str, cwd: Path) -> dict:
    """The Python executor in an isolated host CPython; the host side adds what it adds to any run."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-I", str(PYTHON_EXECUTOR)], input=wikifunctions.encode_request(request),
                          capture_output=True, env={}, cwd=cwd, timeout=120, check=False)
    result = RunResult("ok" if done.returncode == 0 else "error", f"exited with code {done.returncode}",
                       done.returncode, done.stdout, done.stderr, time.monotonic() - started)
    return wikifunctions.response_from_result(result)


@pytest.mark.parametrize("case", [c for c in PYTHON_CASES if "limits" not in c.meta], ids=lambda c: c.name)
def test_python_executor_under_host_cpython(case, tmp_path):
    assert check_z22(case, run_under_host_python(wikifunctions_request(case), tmp_path)) is None


def test_python_executor_output_is_one_normal_form_line(tmp_path):
    request = {"codeString": "def Z1000(Z1000K1):\n    print('hi')\n    return [Z1000K1]\n", "functionName": "Z1000",
               "functionArguments": {"Z1000K1": "Zoë"}}
    done = subprocess.run([sys.executable, "-I", str(PYTHON_EXECUTOR)], input=wikifunctions.encode_request(request),
                          capture_output=True, env={}, cwd=tmp_path, timeout=120, check=True)
    assert done.stdout.count(b"\n") == 1 and done.stdout.endswith(b"\n")
    z22 = json.loads(done.stdout)
    assert wikifunctions.normal(wikifunctions.canonical(z22)) == z22
    assert wikifunctions.canonical(z22)["Z22K1"] == ["Z6", "Zoë"]


def metadata_of(z22: dict) -> dict:
    """Z22K2 as {key: canonical value}."""
    return {wikifunctions.canonical(key): wikifunctions.canonical(value)
            for key, value in wikifunctions.metadata_entries(z22)}


def test_python_executor_out_of_memory_is_the_memory_limit(tmp_path):
    # A MemoryError ends the executor with no response and the agreed exit code; the host
    # turns that into the memory limit it enforces, as for the QuickJS image.
    request = {"codeString": "def Z1000():\n    return bytearray(10 ** 15)\n", "functionName": "Z1000"}
    z22 = run_under_host_python(request, tmp_path)
    assert metadata_of(z22)["errors"]["Z5K2"] == f"memory limit of {Limits().memory_bytes // 2**20} MiB exceeded"
