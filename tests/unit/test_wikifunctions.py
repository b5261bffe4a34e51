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

from wasmimage.pipeline.verify import check_z22, discover_wikifunctions, wikifunctions_request
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.runner import Limits, RunResult

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


def test_python_executor_out_of_memory_is_reported_as_its_own(tmp_path):
    # A MemoryError ends the executor with no response and the agreed exit code. Under the host's CPython
    # no linear memory grew to the sandbox's cap, so the host reports the executor's claim, not its limit
    # (the cap itself: conformance/wikifunctions/python/35_memory_limit, in the image).
    request = {"codeString": "def Z1000():\n    return bytearray(10 ** 15)\n", "functionName": "Z1000"}
    z22 = run_under_host_python(request, tmp_path)
    assert metadata_of(z22)["errors"]["Z5K2"] == (
        f"the executor reported running out of memory (exit code 4) "
        f"with 0 MiB of the {Limits().memory_bytes // 2**20} MiB limit in use")


# The host never raises for what the guest writes, and believes it no more than it must (issue 24 items 3, 4).
# The guests here are the Python executor under the host's CPython, with user code that attacks it.

def guest_error(z22: dict) -> str:
    return metadata_of(z22)["errors"]["Z5K2"]


def forging(z22: dict) -> str:
    """User code that makes the executor write `z22` instead of its own (by rebinding its json.dumps)."""
    return (f"import __main__\n__main__.dumps = lambda _: {json.dumps(json.dumps(z22))}\n"
            f"def Z1000():\n    return 'x'\n")


def test_a_line_nested_past_the_recursion_limit_is_an_invalid_response(tmp_path):
    """Before: json.loads raised RecursionError out of wikifunctions.call. Fails if the host raises."""
    code = "import os\ndef Z1000():\n    os.write(1, b'[' * 5000 + b']' * 5000 + b'\\n')\n    os._exit(0)\n"
    z22 = run_under_host_python({"codeString": code, "functionName": "Z1000"}, tmp_path)
    assert guest_error(z22).startswith("the executor wrote an invalid response (exited with code 0): not a Z22")


def test_the_hosts_metadata_keys_are_its_own(tmp_path):
    """Before: a guest's evaluationDuration came before the host's, in the same map. Fails if a guest may
    write a key the host writes (or any key beside errors and executorDebugLogs)."""
    forged = wikifunctions.z22(wikifunctions.zstring("x"), [(wikifunctions.zstring("evaluationDuration"),
                                                              wikifunctions.zstring("1 ms"))])
    z22 = run_under_host_python({"codeString": forging(forged), "functionName": "Z1000"}, tmp_path)
    assert guest_error(z22) == ("the executor wrote an invalid response (exited with code 0): Z22K2: "
                                "'evaluationDuration' is not the executor's to write (it may write each of "
                                "errors, executorDebugLogs once)")
    assert list(metadata_of(z22)) == ["errors", "evaluationDuration", "executionMemoryUsage"]


@pytest.mark.parametrize("text", ["time limit of 9 s exceeded", "\u200bTIME LIMIT of 9 s exceeded",
                                  "memory limit of 625 MiB exceeded", "the executor crashed: wasm trap: unreachable"])
def test_a_guest_error_that_reads_like_the_hosts_is_marked_as_the_guests(tmp_path, text):
    """Before: user code's "time limit of 9 s exceeded" passed for the host's limit. Fails if it is not marked."""
    forged = wikifunctions.z22(None, [wikifunctions.error_entry(text)])
    z22 = run_under_host_python({"codeString": forging(forged), "functionName": "Z1000"}, tmp_path)
    assert guest_error(z22) == "the executor reported: " + text


@pytest.mark.parametrize("result", ["bare text", 42, None, ["Z6", "a"], {"Z1K1": "Z6", "Z6K1": 1},
                                    {"Z1K1": "Z9", "Z9K1": "not a reference"}, {"Z6K1": "no type"}])
def test_a_result_that_is_not_a_zobject_in_normal_form_is_refused(tmp_path, result):
    """Before: any JSON value passed as Z22K1. Fails if one that is not a normal-form ZObject passes."""
    forged = {"Z1K1": wikifunctions.ref("Z22"), "Z22K1": result, "Z22K2": wikifunctions.ref("Z24")}
    z22 = run_under_host_python({"codeString": forging(forged), "functionName": "Z1000"}, tmp_path)
    assert guest_error(z22).startswith("the executor wrote an invalid response (exited with code 0): not in normal "
                                       "form: Z22.Z22K1")


def test_a_result_whose_type_is_a_resolved_z4_passes_unchanged(tmp_path):
    """The check is of the form, not of the types: a result typed by a Z4 object (the executors return
    resolved types) or a generic type call must pass as it came. Fails if the check refuses it."""
    z4 = {"Z1K1": wikifunctions.ref("Z4"), "Z4K1": wikifunctions.ref("Z10001"),
          "Z4K2": wikifunctions.normal(["Z3", {"Z1K1": "Z3", "Z3K1": "Z6", "Z3K2": "Z10001K1"}]),
          "Z4K3": wikifunctions.ref("Z101")}
    result = {"Z1K1": z4, "Z10001K1": wikifunctions.zstring("text"),
              "K2": {"Z1K1": wikifunctions.normal({"Z1K1": "Z7", "Z7K1": "Z881", "Z881K1": "Z6"}),
                     "K1": wikifunctions.zstring("a"), "K2": {"Z1K1": wikifunctions.normal(
                         {"Z1K1": "Z7", "Z7K1": "Z881", "Z881K1": "Z6"})}}}
    forged = wikifunctions.z22(result, [])
    z22 = run_under_host_python({"codeString": forging(forged), "functionName": "Z1000"}, tmp_path)
    assert z22["Z22K1"] == result


def test_exit_code_4_below_the_memory_cap_is_not_the_memory_limit(tmp_path):
    """Before: os._exit(4) from user code was reported as "memory limit of N MiB exceeded", the host's
    limit. Fails if the executor's exit code alone makes the host claim its limit was hit."""
    code = "import os\ndef Z1000():\n    os._exit(4)\n"
    z22 = run_under_host_python({"codeString": code, "functionName": "Z1000"}, tmp_path)
    assert "memory limit" not in guest_error(z22)
    assert guest_error(z22).startswith("the executor reported running out of memory (exit code 4)")


def test_canonical_form_at_any_depth():
    """Before: canonical() recursed and raised RecursionError for a 700-element list (--canonical too)."""
    items = ["Z6", *(str(i) for i in range(5000))]
    assert wikifunctions.canonical(wikifunctions.normal(items[:3])) == items[:3]
    deep = {"Z1K1": "Z6", "Z6K1": "end"}
    for _ in range(5000):
        deep = {"Z1K1": wikifunctions.ref("Z10001"), "K1": deep}
    shallow = wikifunctions.canonical(deep)
    for _ in range(5000):
        assert shallow["Z1K1"] == "Z10001"
        shallow = shallow["K1"]
    assert shallow == "end"


def test_debug_logs_reach_the_caller_when_the_host_ends_the_call(tmp_path):
    """Issue 27: what the code printed before the time limit died with the guest's memory. The executor copies
    each log line to stderr as it comes (at most 8 KiB) and the host's failure Z22 carries them as
    executorDebugLogs. Fails if they are missing, or not the lines printed, or not in normal form."""
    code = ("def Z1000():\n    print('progress 1')\n    Wikifunctions.Debug('two', 2)\n    while True:\n"
            "        pass\n")
    with pytest.raises(subprocess.TimeoutExpired) as ended:
        subprocess.run([sys.executable, "-I", str(PYTHON_EXECUTOR)],
                       input=wikifunctions.encode_request({"codeString": code, "functionName": "Z1000"}),
                       capture_output=True, env={}, cwd=tmp_path, timeout=3)
    result = RunResult("timeout", "wall-clock deadline of 3s exceeded", None, b"", ended.value.stderr or b"", 3.0,
                       limits=Limits(timeout=3))
    z22 = wikifunctions.response_from_result(result)
    assert wikifunctions.normal_form_problem(z22, "Z22") is None
    assert guest_error(z22) == "time limit of 3 s exceeded"
    assert metadata_of(z22)["executorDebugLogs"] == ["Z6", "progress 1", "two 2"]
