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

from helpers.project import ROOT
from unit.test_wikifunctions import metadata_of  # the unit half's helpers
from wasmimage.errors import PipelineError
from wasmimage.registry.layout import layer_tar
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.image import Image, open_image


def call_cli(image: Path, request: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmimage", "call", str(image), "--protocol", "wikifunctions",
                           *flags], input=request, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


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


# Exactly one Z22, always, whatever the guest writes or the caller sends (issue 24 items 3, 4, 5).

def function(body: str) -> dict:
    return {"codeString": f"function Z1000() {{ {body} }}", "functionName": "Z1000"}


def error_of(z22: dict) -> str:
    return metadata_of(z22)["errors"]["Z5K2"]


def test_results_and_logs_nested_a_level_per_element_are_read_at_any_depth(quickjs_image):
    """Before: a list of 2,000 strings (2,000 levels in normal form), or 2,000 printed lines, made
    json.loads raise RecursionError out of wikifunctions.call. Fails if the host cannot read them."""
    z22 = wikifunctions.call(quickjs_image, function("return Array.from({length: 2000}, (_, i) => 'x' + i);"))
    assert wikifunctions.canonical(z22)["Z22K1"] == ["Z6", *(f"x{i}" for i in range(2000))]
    z22 = wikifunctions.call(quickjs_image, function("for (let i = 0; i < 2000; i++) console.log(i); return 'ok';"))
    assert metadata_of(z22)["executorDebugLogs"] == ["Z6", *map(str, range(2000))]


def test_a_guest_line_nested_past_any_limit_is_an_invalid_response(quickjs_image):
    """Before: a toJSON returning a 5,000-deep array made the host raise RecursionError."""
    evaluation = wikifunctions.evaluate(quickjs_image, function(
        "let a = []; for (let i = 0; i < 5000; i++) a = [a];"
        "Object.prototype.toJSON = function () { delete Object.prototype.toJSON; return a; }; return 'x';"))
    assert evaluation.host_error == error_of(evaluation.z22)
    assert error_of(evaluation.z22).startswith("the executor wrote an invalid response (exited with code 0): not a Z22")


def test_line_separators_inside_a_result_are_text_not_line_breaks(quickjs_image):
    """Before: JSON.stringify leaves U+2028, U+2029 and U+0085 unescaped, and the host split lines on them
    (str.splitlines): a correct result was "an invalid response". Fails if only \\n ends the line."""
    z22 = wikifunctions.call(quickjs_image, function("return 'a\\u2028b\\u2029c\\u0085d';"))
    assert z22["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "a\u2028b\u2029c\u0085d"}


def test_a_forged_host_error_is_marked_as_the_executors(quickjs_image):
    """Before: user code could make the executor write "time limit of 9 s exceeded" as its error, which read
    as the host's limit. Fails if it is not marked, or if the host says it made it (host_error)."""
    evaluation = wikifunctions.evaluate(quickjs_image, function("throw 'time limit of 9 s exceeded';"))
    assert error_of(evaluation.z22) == "the executor reported: time limit of 9 s exceeded"
    assert evaluation.host_error is None


def deeply_nested(depth: int) -> list:
    item: list = ["Z6"]
    for _ in range(depth):
        item = ["Z1", item]
    return item


@pytest.mark.parametrize("request_", [
    {"codeString": "", "functionName": "Z1000", "functionArguments": {"Z1000K1": {"a", "set"}}},
    '{"codeString": "\ud800", "functionName": "Z1000"}',
    ["not", "a", "request"],
    {"codeString": "", "functionName": "Z1000", "functionArguments": {"Z1000K1": float("nan")}},
], ids=["set", "lone-surrogate-text", "a-list", "nan"])
def test_a_request_that_cannot_be_sent_is_an_error_z22(quickjs_image, request_):
    """Before: a set, or text with a lone surrogate, raised TypeError / UnicodeEncodeError out of
    wikifunctions.call. Fails if the host raises instead of answering one failure Z22."""
    evaluation = wikifunctions.evaluate(quickjs_image, request_)
    assert evaluation.run is None and error_of(evaluation.z22).startswith("cannot send the request: ")
    assert evaluation.host_error == error_of(evaluation.z22)


def test_a_request_nested_5000_deep_is_sent(quickjs_image):
    """Before: json.dumps raised RecursionError for a caller's 5,000-deep argument. It is sent; the
    executor answers (QuickJS's parser refuses that depth: its own error, not the host's)."""
    evaluation = wikifunctions.evaluate(quickjs_image, {"codeString": "function Z1000(a) { return 'x'; }",
                                                        "functionName": "Z1000",
                                                        "functionArguments": {"Z1000K1": deeply_nested(5000)}})
    assert evaluation.run is not None and evaluation.host_error is None and wikifunctions.is_failure(evaluation.z22)


def test_cli_prints_a_700_deep_result_in_canonical_form_and_says_who_failed(quickjs_image):
    """Before: --canonical on a 700-deep result ended with a RecursionError traceback. And the exit
    status says who made a failure: 1 the executor, 125 the host."""
    deep = json.dumps(function("let a = 'leaf'; for (let i = 0; i < 700; i++) a = {Z1K1: 'Z10001', Z10001K1: a};"
                               "return a;"))
    done = call_cli(quickjs_image, deep, "--canonical")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    result = json.loads(done.stdout)["Z22K1"]
    for _ in range(700):
        assert result["Z1K1"] == "Z10001"
        result = result["Z10001K1"]
    assert result == "leaf"
    assert call_cli(quickjs_image, json.dumps(function("throw new Error('no');"))).returncode == 1
    timed_out = call_cli(quickjs_image, json.dumps(function("for (;;) {}")), "--timeout", "0.5")
    assert timed_out.returncode == 125 and "time limit of 0.5 s exceeded" in timed_out.stderr
