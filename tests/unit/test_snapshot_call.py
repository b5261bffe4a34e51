"""snapshot_call: what the host reads back from a snapshot's capture buffers is bounded by the guest's
memory and the caller's caps, whatever the guest wrote in their headers (the header is guest memory,
and the code a call runs may scribble on it)."""

from __future__ import annotations

import pytest
import wasmtime

from wasmimage.errors import InvalidInput
from wasmimage.runtime.engine import engine
from wasmimage.runtime.runner import Limits, Program, run_program
from wasmimage.runtime.snapshot_abi import ALLOC, RUN
from wasmimage.runtime.snapshot_call import export

PAGE = 65536


def snapshot_program(buffer: int, stdout: tuple[int, int, int], data: bytes = b"hello") -> Program:
    """A snapshot whose alloc gives `buffer`, whose memory holds `data` at 2048, and whose run fills the stdout
    capture's header with (data pointer, length, truncated flag) and leaves stderr's empty."""
    pointer, length, truncated = stdout
    module = wasmtime.Module(engine(), f"""(module
      (memory (export "memory") 1)
      (data (i32.const 2048) "{data.decode()}")
      (func (export "{ALLOC}") (param i32) (result i32) (i32.const {buffer}))
      (func (export "{RUN}") (param $buffer i32) (param i32 i32) (result i32)
        (i32.store (local.get $buffer) (i32.const {pointer}))
        (i32.store offset=4 (local.get $buffer) (i32.const {length}))
        (i32.store offset=12 (local.get $buffer) (i32.const {truncated}))
        (i32.store offset=20 (local.get $buffer) (i32.const 0))
        (i32.const 0)))""")
    return Program("capture", module, ("capture",), "main.js", snapshot=True)


@pytest.mark.parametrize("stdout, expected", [
    ((2048, 5, 0), b"hello"),
    ((PAGE - 3, 10, 0), b"\0\0\0"),  # runs past the memory's end: cut there
    ((-16, 5, 0), b""),  # starts past the memory's end (0xfffffff0)
], ids=["in-memory", "past-the-end", "outside"])
def test_captures_are_read_within_the_guests_memory(stdout, expected):
    result = run_program(snapshot_program(4096, stdout), b"print(1)")
    assert (result.outcome, result.stdout, result.stdout_truncated) == ("ok", expected, False)


def test_the_guests_own_cut_is_reported():
    result = run_program(snapshot_program(4096, (2048, 5, 1)), b"print(1)")
    assert (result.outcome, result.stdout, result.stdout_truncated) == ("output_limit", b"hello", True)


@pytest.mark.parametrize("length", [5, -1], ids=["5-bytes", "4-GiB"])
def test_a_capture_is_cut_at_the_callers_cap(length):
    result = run_program(snapshot_program(4096, (2048, length, 0)), b"print(1)", limits=Limits(max_stdout_bytes=3))
    assert (result.outcome, result.stdout, result.stdout_truncated) == ("output_limit", b"hel", True)


def test_an_alloc_outside_the_memory_ends_the_call_as_a_trap():
    """The call buffer could not be written where alloc said: a broken snapshot, reported, never written."""
    result = run_program(snapshot_program(PAGE - 8, (2048, 5, 0)), b"print(1)")
    assert (result.outcome, result.stdout) == ("trap", b""), result.reason
    assert ALLOC in result.reason


def test_an_export_is_given_only_as_its_own_kind():
    """A module not checked by export_problem (the snapshot stage's probes, a command's `memory`) may export a
    name as something else: refused, never called or read as the kind asked for."""
    store = wasmtime.Store(engine())
    module = wasmtime.Module(engine(), '(module (global (export "memory") i32 (i32.const 0)) (func (export "f")))')
    instance = wasmtime.Instance(store, module, [])
    assert isinstance(export(store, instance, "f", wasmtime.Func), wasmtime.Func)
    with pytest.raises(InvalidInput, match="memory is not a Memory"):
        export(store, instance, "memory", wasmtime.Memory)
    with pytest.raises(InvalidInput, match="f is not a Memory"):
        export(store, instance, "f", wasmtime.Memory)
    with pytest.raises(KeyError):
        export(store, instance, "absent", wasmtime.Func)
