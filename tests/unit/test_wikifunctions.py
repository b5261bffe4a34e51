"""The Wikifunctions executor contract: executors, host side, CLI and published files.

conformance/wikifunctions/javascript runs in the quickjs image's verify stage (doit build).
The Python executor (recipes/python/wikifunctions.py) is also run here under the host's
CPython, every case that does not need the sandbox's limits, so its expectations are
Python's and it needs nothing beyond the standard library.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from wasmimage.errors import PipelineError
from wasmimage.registry.layout import layer_tar
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.runner import Limits, RunResult
from wasmimage.verify import check_z22, discover_wikifunctions, wikifunctions_request

ROOT = Path(__file__).resolve().parent.parent
SUITES = ROOT / "conformance" / "wikifunctions"
PYTHON_EXECUTOR = ROOT / "recipes" / "python" / "wikifunctions.py"
MIN_CASES = 25
PYTHON_CASES = discover_wikifunctions(SUITES / "python")


def test_each_language_has_the_suite_and_the_shared_requests():
    names = {language: {case.name for case in discover_wikifunctions(SUITES / language)}
             for language in ("javascript", "python")}
    assert all(len(cases) >= MIN_CASES for cases in names.values()), names
    shared = names["javascript"] & names["python"]
    assert len(shared) >= MIN_CASES
    for name in shared:  # the same arguments, whatever the language of the code
        requests = [wikifunctions_request(next(c for c in discover_wikifunctions(SUITES / language) if c.name == name))
                    for language in ("javascript", "python")]
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


def call_cli(image: Path, request: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmimage", "call", str(image), "--protocol", "wikifunctions", *flags],
                          input=request, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def test_cli_answers_one_z22_line(quickjs_image):
    request = json.dumps({"codeString": "function Z1000(a, b) { console.log('x'); return a + b; }",
                          "functionName": "Z1000",
                          "functionArguments": {"Z1000K2": "wiki", "Z1000K1": {"Z1K1": "Z6", "Z6K1": "hello "}}})
    done = call_cli(quickjs_image, request + "\n\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    z22 = json.loads(done.stdout)
    assert z22["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "hello wiki"}
    metadata = metadata_of(z22)
    assert metadata["executorDebugLogs"] == ["Z6", "x"]
    assert metadata["evaluationDuration"].endswith(" ms")
    assert float(metadata["executionMemoryUsage"].removesuffix(" MiB")) > 0.5  # the guest's linear memory

    canonical = json.loads(call_cli(quickjs_image, request, "--canonical").stdout)
    assert canonical["Z1K1"] == "Z22" and canonical["Z22K1"] == "hello wiki"


def test_cli_malformed_request_is_an_error_z22(quickjs_image):
    done = call_cli(quickjs_image, '{"codeString": ')
    assert done.returncode == 1 and done.stdout.count("\n") == 1
    z22 = json.loads(done.stdout)
    assert wikifunctions.is_failure(z22)
    assert metadata_of(z22)["errors"]["Z5K2"].startswith("the request is not valid JSON")


def test_cli_uses_the_wikifunctions_profile_unless_overridden(quickjs_image):
    # 300 MiB fits the profile's 625 MiB, not the default 256 MiB of the call protocol.
    big = json.dumps({"codeString": "function Z1000() { const b = new ArrayBuffer(300 * 2 ** 20); "
                                    "new Uint8Array(b).fill(1); return 'allocated'; }",
                      "functionName": "Z1000", "functionArguments": {}})
    assert json.loads(call_cli(quickjs_image, big).stdout)["Z22K1"]["Z6K1"] == "allocated"
    refused = json.loads(call_cli(quickjs_image, big, "--memory-mb", "64").stdout)
    assert metadata_of(refused)["errors"]["Z5K2"] == "memory limit of 64 MiB exceeded"
    assert wikifunctions.LIMITS.timeout == 9 and wikifunctions.LIMITS.memory_bytes == 625 * 2**20


def test_call_refuses_an_image_without_the_protocol(quickjs_image):
    image = open_image(quickjs_image)
    roles = {k: v for k, v in image.manifest["roles"].items() if k != "wikifunctions"}
    without = Image(image.path, {**image.manifest, "roles": roles})
    with pytest.raises(PipelineError, match="does not speak the wikifunctions protocol"):
        wikifunctions.call(without, {"codeString": "", "functionName": "Z1000"})


def test_published_layer_carries_what_the_evaluator_loads(quickjs_image):
    image = open_image(quickjs_image)
    assert image.manifest["protocols"] == {"call": "executor.js", "wikifunctions": "wikifunctions.js"}
    with tarfile.open(fileobj=io.BytesIO(layer_tar(image, 0))) as tar:
        names = {Path(n).name for n in tar.getnames()}
    assert {"quickjs.wasm", "quickjs.cwasm", "executor.js", "wikifunctions.js", "image.json"} <= names
