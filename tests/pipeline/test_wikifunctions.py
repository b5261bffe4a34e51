"""The Wikifunctions executor contract through the QuickJS image: CLI and published files.

conformance/wikifunctions/javascript runs in the quickjs image's verify stage (doit build);
the executors under the host's CPython are tests/unit/test_wikifunctions.py.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from wasmimage.errors import PipelineError
from wasmimage.registry.layout import layer_tar
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.image import Image, open_image
from helpers.project import ROOT
from unit.test_wikifunctions import metadata_of  # the unit half's helpers



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
