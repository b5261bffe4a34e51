"""The snapshot stage (wasmimage/pipeline/snapshot.py) and calls through a snapshot.

The sandbox contract itself (deadlines, memory and output caps, isolation) is tested on
both of the image's paths by test_runner.py; here: the stage is reproducible, init cannot
depend on the build machine, every call starts from the snapshot (no state or random
sequence carried over), and the image records and uses it.
"""

import json
import shutil

import pytest

from helpers.project import ROOT
from wasmimage.errors import PipelineError
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.snapshot import parse, snapshot
from wasmimage.runtime.image import open_image
from wasmimage.runtime.protocol import call_program
from wasmimage.runtime.runner import Limits, load_program, run_program
from wasmimage.runtime.snapshot_abi import ABI_VERSION, ALLOC, INIT, RUN
from wasmimage.runtime.wikifunctions import call_program as wikifunctions_call


@pytest.fixture(scope="session")
def image(quickjs_image):
    return open_image(quickjs_image)


@pytest.fixture(scope="session")
def program(image):
    return load_program(image)


@pytest.fixture(scope="session")
def reactor(quickjs_image):
    return Project(ROOT).stage_outputs(Project(ROOT).recipe("quickjs")).reactor


def test_the_image_records_its_snapshot_and_the_runner_uses_it(image, program):
    assert image.has("snapshot") and image.has("snapshot_wasm")
    assert image.manifest["snapshot"]["abi"] == ABI_VERSION == 2
    assert program.snapshot and not load_program(image, snapshot=False).snapshot
    report = json.loads(image.file("report").read_text())
    assert report["snapshot"]["cwasm_sha256"] == image.sha256("snapshot")
    assert report["snapshot"]["summary"]["failed"] == 0 and report["snapshot"]["summary"]["passed"] > 0


def test_snapshot_is_reproducible(reactor):
    data = reactor.read_bytes()
    first, second = snapshot(data, "reactor"), snapshot(data, "reactor")
    assert first == second
    assert first != data and len(parse(first, "snapshot").exports) < len(parse(data, "reactor").exports)
    exported = {name for name, _, _ in parse(first, "snapshot").exports}
    assert INIT not in exported and "_initialize" not in exported and {ALLOC, RUN} <= exported
    script = ("/script/main.js", b"host.entry(() => print(1))")
    preloaded = snapshot(data, "reactor", (script,))
    assert preloaded == snapshot(data, "reactor", (script,)) and preloaded != first


def test_math_random_differs_between_calls(program):
    draws = {run_program(program, b"print(Math.random())").stdout for _ in range(5)}
    assert len(draws) == 5, draws


def test_a_call_starts_from_the_snapshot_not_the_last_call(program):
    first = run_program(program, b'globalThis.kept = 1; Math.max = () => 0; Object.prototype.x = 1; print("set")')
    assert first.stdout == b"set\n"
    second = run_program(program, b"print(typeof kept, Math.max(1, 2), ({}).x)")
    assert second.stdout == b"undefined 2 undefined\n"


def test_output_is_read_back_after_a_timeout(program):
    result = run_program(program, b'print("before"); for (;;) {}', limits=Limits(timeout=0.5))
    assert result.outcome == "timeout" and result.stdout == b"before\n"


def test_a_memory_limit_below_the_snapshot_is_a_memory_limit(program):
    result = run_program(program, b'print("hi")', limits=Limits(memory_bytes=64 * 1024))
    assert result.outcome == "memory_limit", result.reason


def test_every_protocol_executor_is_preloaded_into_a_slot_of_its_own(image, program):
    # Fails if an executor is left to be parsed per call, or if two share a slot.
    slots = {image.sha256("executor"): 0, image.sha256("wikifunctions"): 1}
    assert image.manifest["snapshot"]["preloaded"] == slots == program.preloaded


def test_preloaded_executors_leave_the_globals_to_each_call(image, program):
    """Preloading runs an executor's top level at build time: it must not have changed the globals
    a plain script (or the other executor) sees; each executor changes them only in its own call."""
    plain = run_program(program, b'print(typeof host, typeof host.readStdin, typeof Wikifunctions, typeof ZPair)')
    assert plain.stdout == b"object function undefined undefined\n"
    request = {"codeString": "function Z1000(K) { return typeof host + ' ' + typeof Wikifunctions; }",
               "functionName": "Z1000", "functionArguments": {"Z1000K1": "x"}}
    z22 = wikifunctions_call(program, image.file("wikifunctions").read_bytes(), request)
    assert z22["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "undefined object"}, z22
    after = call_program(program, image.file("executor").read_bytes(),
                         {"function": "function f() { return [typeof host, typeof Wikifunctions]; }", "name": "f"})
    assert after == {"result": ["undefined", "undefined"]}


def test_protocol_call_through_the_snapshot(image, program):
    executor = image.file("executor").read_bytes()
    request = {"function": "function f(x) { print('log'); return x + Math.random() * 0; }", "name": "f", "args": [2]}
    assert call_program(program, executor, request) == {"result": 2, "logs": ["log"]}
    # Any other script is parsed as usual, even one that differs from the executor by a comment
    assert call_program(program, executor + b"\n// edited\n", request) == {"result": 2, "logs": ["log"]}
    failing = {"function": "function g() { null.x }", "name": "g", "args": []}
    assert call_program(program, executor, failing)["error"]["type"] == "TypeError"


@pytest.mark.parametrize("source, said", [
    (b"function (", r"failed \(slot -1\): Uncaught SyntaxError"),
    (b"throw new Error('no')", r"failed \(slot -1\): Uncaught Error: no"),
    (b"0", "failed .slot -1.: qjs-host: the preloaded script did not call host.entry"),
    (b"print('said so')", "failed .slot -1.: said so\nqjs-host: the preloaded script did not call host.entry"),
])
def test_a_script_that_fails_to_preload_fails_the_stage_saying_why(reactor, source, said):
    with pytest.raises(PipelineError,
                       match=rf"wasmimage_preload of script 0 \({len(source)} bytes as /script/main.js\) {said}"):
        snapshot(reactor.read_bytes(), "reactor", (("/script/main.js", source),))


def test_an_untrusted_snapshot_cwasm_is_replaced_by_its_wasm_compiled_here(quickjs_image, tmp_path, monkeypatch,
                                                                            capfd):
    """Native code from elsewhere is never loaded (native.py): the snapshot .wasm is compiled instead."""

    copy = tmp_path / "image"
    shutil.copytree(quickjs_image, copy)
    monkeypatch.setenv("WASMIMAGE_NATIVE_CACHE", str(tmp_path / "native"))  # nothing is trusted here
    untrusted = load_program(open_image(copy))
    assert untrusted.snapshot and "compiling its .wasm here" in capfd.readouterr().err
    assert run_program(untrusted, b'print("hi")').stdout == b"hi\n"
