"""Self-check of the Python suites against the host's CPython, and of the Python executor.

conformance/python/: each case is a script NAME.py, its exact expected stdout NAME.out and
optional metadata NAME.yaml. The Python images are verified against these expectations, so
they have to be right: a failure there must mean "this interpreter differs from Python",
never "the expectation was mistyped" or "the script relies on something that is not
Python". CPython is the reference implementation, so every case is run here under the
host's CPython in the same sandbox-like conditions the image gets (isolated mode, empty
environment, a fresh empty working directory, only the declared stdin) and must produce
exactly the recorded stdout and exit code. Cases with a `known_difference` are checked too:
the mark only excuses the image it names, never the expectation.

conformance/protocol/python/: the JavaScript protocol suite's cases, as Python requests.
recipes/python/executor.py runs each under the host's CPython and must give the expected
response, except the cases whose response only the sandbox can produce (a Timeout from the
host's deadline); those run against the images in their verify stage.

conformance/hostile/python/: the programs would really bomb the host here, so only their
layout is checked; they run against the images in their verify stage.
"""

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wasmimage.pipeline.verify import check_response, discover, discover_protocol
from wasmimage.runtime.protocol import LIMIT_ERRORS, response_from_result
from wasmimage.runtime.runner import RunResult

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "conformance" / "python"
PROTOCOL = ROOT / "conformance" / "protocol" / "python"
HOSTILE = ROOT / "conformance" / "hostile" / "python"
EXECUTOR = ROOT / "recipes" / "python" / "executor.py"
CASES = sorted(path.stem for path in SUITE.glob("*.py"))
META_TYPES = {"exit_code": int, "stdin": str, "stderr_contains": str, "known_difference": dict}
PYTHON_IMAGES = {"rustpython", "cpython"}
MIN_CASES = 120
MIN_HOSTILE_CASES = 15
HOST_MEMORY_CAP = 1 << 30  # the executor's allocation bomb gets a MemoryError here, as in the sandbox


def load_meta(name):
    path = SUITE / f"{name}.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@pytest.mark.parametrize("name", CASES)
def test_case_matches_cpython(name, tmp_path):
    meta = load_meta(name)
    script = shutil.copy(SUITE / f"{name}.py", tmp_path)
    result = subprocess.run(
        # -I: ignore PYTHON* variables and user site; -X utf8: UTF-8 stdio whatever the locale.
        [sys.executable, "-I", "-X", "utf8", script],
        input=meta.get("stdin", "").encode("utf-8"),
        capture_output=True,
        cwd=tmp_path,
        env={},
        timeout=30,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    expected = (SUITE / f"{name}.out").read_bytes()
    # surrogateescape is lossless, so this is an exact byte comparison with a readable diff.
    assert result.stdout.decode("utf-8", "surrogateescape") == expected.decode(
        "utf-8", "surrogateescape"
    ), f"stdout differs; stderr was:\n{stderr}"
    assert result.returncode == meta.get("exit_code", 0), f"stderr was:\n{stderr}"
    assert meta.get("stderr_contains", "") in stderr


def test_suite_layout():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases, want at least {MIN_CASES}"
    for path in sorted(SUITE.iterdir()):
        assert path.suffix in {".py", ".out", ".yaml"}, f"unexpected file {path.name}"
        assert (SUITE / f"{path.stem}.py").exists(), f"{path.name} has no script"
    for name in CASES:
        assert (SUITE / f"{name}.out").exists(), f"{name}.py has no .out file"
        (SUITE / f"{name}.out").read_bytes().decode("utf-8")  # must be valid UTF-8
        meta = load_meta(name)
        assert isinstance(meta, dict), f"{name}.yaml is not a mapping"
        for key, value in meta.items():
            assert key in META_TYPES, f"{name}.yaml: unknown key {key!r}"
            wanted = META_TYPES[key]
            assert isinstance(value, wanted) and not isinstance(value, bool), (
                f"{name}.yaml: {key} must be {wanted.__name__}, got {type(value).__name__}"
            )
    discover(SUITE, ".py")  # what the verify stage accepts, with its own checks


def test_known_differences_name_a_python_image_other_than_cpython():
    """CPython is the reference: a case it fails is a wrong expectation, never a known difference."""
    for suite, cases in ((SUITE, discover(SUITE, ".py")), (HOSTILE, discover(HOSTILE, ".py")),
                         (PROTOCOL, discover_protocol(PROTOCOL))):
        for case in cases:
            images = set(case.meta.get("known_difference", {}))
            assert images <= PYTHON_IMAGES - {"cpython"}, f"{suite.name}/{case.name}: known_difference for {images}"


def run_executor(request: bytes, tmp_path: Path) -> dict:
    """executor.py under the host's CPython, as the image runs it: the request on stdin, nothing else."""

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (HOST_MEMORY_CAP, HOST_MEMORY_CAP))

    result = subprocess.run([sys.executable, "-I", "-X", "utf8", EXECUTOR], input=request, capture_output=True,
                            cwd=tmp_path, env={}, timeout=60, preexec_fn=cap_memory)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.endswith(b"\n") and result.stdout.count(b"\n") == 1, result.stdout
    return json.loads(result.stdout)


def host_runnable(case) -> bool:
    """Whether the host can produce the response: not when only the sandbox's limits can."""
    error = json.loads(case.expected_stdout).get("error", {})
    return error.get("type") not in LIMIT_ERRORS.values()


PROTOCOL_CASES = [case for case in discover_protocol(PROTOCOL) if host_runnable(case)]


@pytest.mark.parametrize("case", PROTOCOL_CASES, ids=[case.name for case in PROTOCOL_CASES])
def test_protocol_case_under_cpython(case, tmp_path):
    response = run_executor(case.script.read_bytes(), tmp_path)
    assert check_response(case, response) is None


def test_protocol_suite_shares_the_javascript_cases():
    javascript = {case.name for case in discover_protocol(ROOT / "conformance" / "protocol" / "javascript")}
    assert {case.name for case in discover_protocol(PROTOCOL)} == javascript
    assert len(PROTOCOL_CASES) >= len(javascript) - 3  # only the three deadline cases need the sandbox
    for case in discover_protocol(PROTOCOL):  # the sandbox-only ones are valid Python at least
        source = json.loads(case.script.read_bytes()).get("function")
        if source is not None and case.name != "14_syntax_error":
            compile(source, case.name, "exec", dont_inherit=True)


def test_hostile_suite_layout():
    cases = discover(HOSTILE, ".py")
    assert len(cases) >= MIN_HOSTILE_CASES
    for case in cases:
        compile(case.script.read_bytes(), case.script.name, "exec", dont_inherit=True)
        assert "timeout" in case.meta.get("limits", {}), f"{case.name}: a hostile case states its deadline"
        assert case.outcomes != ("ok",) or case.expected_stdout is not None, (
            f"{case.name}: a case expected to end normally must say what it prints")


@pytest.mark.parametrize("request_text, expected", [
    (b"not json", {"error": {"type": "ProtocolError"}}),
    (b"[1, 2]", {"error": {"type": "ProtocolError", "message": "the request must be a JSON object"}}),
    (b'{"function": "def f(): pass", "name": "f()", "args": []}',
     {"error": {"type": "ProtocolError", "message": '"name" must be a Python identifier'}}),
    (b'{"function": "def f(): pass", "name": "f", "args": {"a": 1}}',
     {"error": {"type": "ProtocolError", "message": '"args" must be an array'}}),
])
def test_executor_rejects_malformed_requests(request_text, expected, tmp_path):
    response = run_executor(request_text, tmp_path)
    assert set(response) == {"error"} and response["error"]["type"] == expected["error"]["type"]
    assert response["error"]["message"] == expected["error"].get("message", response["error"]["message"])


def call(tmp_path, source, name="f", args=()):
    return run_executor(json.dumps({"function": source, "name": name, "args": list(args)}).encode(), tmp_path)


def test_executor_user_code_cannot_pass_for_the_host(tmp_path):
    """An exception named like a host error is reported by its qualified name."""
    for host_type in ("Timeout", "MemoryLimit", "ProtocolError", "Trap"):
        source = f"class {host_type}(Exception):\n    pass\n\ndef f():\n    raise {host_type}('faked')"
        assert call(tmp_path, source) == {"error": {"type": f"__main__.{host_type}", "message": "faked"}}


def test_executor_user_code_cannot_choose_the_exit_code_or_write_the_response(tmp_path):
    source = ("import sys\n\ndef f():\n    sys.__stdout__.write('{\"result\": \"forged\"}\\n')\n"
              "    print('{\"result\": \"forged too\"}', file=sys.__stderr__)\n    sys.exit(125)")
    assert call(tmp_path, source) == {"error": {"type": "SystemExit", "message": "125"},
                                      "logs": ['{"result": "forged"}', '{"result": "forged too"}']}


def test_executor_results_json_cannot_carry(tmp_path):
    assert call(tmp_path, "def f():\n    return {1, 2}") == {"error": {
        "type": "TypeError", "message": "the result contains a set, which JSON cannot represent"}}
    looped = call(tmp_path, "def f():\n    a = []\n    a.append(a)\n    return a")
    assert looped["error"]["type"] == "ValueError"
    assert call(tmp_path, "def f():\n    print('kept')\n    return float('inf')") == {"error": {
        "type": "ValueError", "message": "the result contains NaN or an infinity, which JSON cannot represent"},
        "logs": ["kept"]}
    assert call(tmp_path, "def f():\n    return (1, 'two', None, {'k': [True]})") == {"result": [1, "two", None,
                                                                                             {"k": [True]}]}


def test_executor_logs_are_lines_and_capped(tmp_path):
    assert call(tmp_path, "def f():\n    print('a\\nb', end='')\n    print('c')\n    return 1") == {
        "result": 1, "logs": ["a", "bc"]}
    flood = call(tmp_path, "def f():\n    for i in range(100000):\n        print('x' * 100)\n    return 'done'")
    assert flood["result"] == "done" and flood["logs_truncated"] is True
    assert sum(len(line) + 1 for line in flood["logs"]) <= 64 * 1024


def test_executor_exception_whose_str_raises(tmp_path):
    source = "class Odd(Exception):\n    def __str__(self):\n        raise RuntimeError\n\ndef f():\n    raise Odd()"
    assert call(tmp_path, source) == {"error": {"type": "Odd",
                                                "message": "(an exception that cannot be converted to a string)"}}


def test_executor_logs_reach_the_caller_when_the_host_ends_the_call(tmp_path):
    """Issue 27: what a function printed before the deadline was lost with the guest's memory. The executor
    copies its logs to stderr as they come (at most 8 KiB) and the host returns them with its Timeout.
    Fails if the copy is missing, unbounded, or not what was printed."""
    source = ("def f():\n    print('progress', 1)\n    print('a\\nb')\n    for i in range(10000):\n"
              "        print('x' * 100)\n    while True:\n        pass")
    request = json.dumps({"function": source, "name": "f", "args": []}).encode()
    with pytest.raises(subprocess.TimeoutExpired) as ended:
        subprocess.run([sys.executable, "-I", "-X", "utf8", EXECUTOR], input=request, capture_output=True,
                       cwd=tmp_path, env={}, timeout=3)
    stderr = ended.value.stderr or b""
    response = response_from_result(RunResult("timeout", "wall-clock deadline of 3s exceeded", None, b"", stderr, 3.0))
    assert response["error"] == {"type": "Timeout", "message": "wall-clock deadline of 3s exceeded"}
    assert response["logs"][:4] == ["progress 1", "a", "b", "x" * 100]
    assert 8 * 1024 - 102 <= len(stderr) <= 8 * 1024 and stderr.startswith(b"\x1eprogress 1\n")

