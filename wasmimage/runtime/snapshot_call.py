"""A call through a snapshot's ABI (snapshot_abi.py, docs/snapshot.md): the script goes in through
guest memory, not argv and a file, and output comes back from capture buffers there too."""

from __future__ import annotations

import ctypes
import struct

import wasmtime
from wasmtime import _ffi
from wasmtime._func import enter_wasm

from wasmimage.digests import sha256_hex
from wasmimage.runtime.outputs import CappedOutput, Ended
from wasmimage.runtime.program import Program
from wasmimage.runtime.snapshot_abi import ALLOC, RUN, RUN_PRELOADED, typed_export

# snapshot.py's ABI: wasmimage_run's call buffer starts with two captures (stdout, stderr), each
# data pointer, length, cap and truncated flag (u32), then the file name, NUL, the source, NUL.
_CAPTURES = struct.Struct("<8I")
_CAPTURE_CAP_MAX = 2**31


def run_snapshot(store: wasmtime.Store, instance: wasmtime.Instance, program: Program, script_path: bytes,
                 script: bytes, stdout: CappedOutput, stderr: CappedOutput) -> int:
    """Hand the script to a snapshot's run export; returns its exit code. Output is read back even after a trap.

    A script the snapshot prepared at build time (an executor) runs from its slot, not parsed again.
    """
    exports = instance.exports(store)
    caps = [min(out.cap, _CAPTURE_CAP_MAX) for out in (stdout, stderr)]
    slot = program.preloaded.get(sha256_hex(script)) if program.preloaded else None
    call = _CAPTURES.pack(0, 0, caps[0], 0, 0, 0, caps[1], 0)
    if slot is None:
        call += b"%s\0%s\0" % (script_path, script)
    buffer = _call_i32(store, typed_export(exports, ALLOC, wasmtime.Func), len(call)) & 0xFFFFFFFF
    if not buffer:
        raise Ended("memory_limit", f"no room for a {len(script)}-byte script")
    memory = typed_export(exports, "memory", wasmtime.Memory)
    memory.write(store, call, buffer)
    try:
        if slot is not None:
            return _call_i32(store, typed_export(exports, RUN_PRELOADED, wasmtime.Func), buffer, slot)
        return _call_i32(store, typed_export(exports, RUN, wasmtime.Func), buffer, len(script_path), len(script))
    finally:
        _read_captures(store, memory, buffer, (stdout, stderr))


def _call_i32(store: wasmtime.Store, func: wasmtime.Func, *args: int) -> int:
    """func(*args) for a function of i32s returning one i32 (the snapshot ABI's, checked when it was made).

    The same call as Func.__call__ (same traps and exit codes), without its per-call type
    lookups and conversions: about 20 us less per call. Uses wasmtime-py internals, so
    pyproject.toml pins wasmtime-py exactly.
    """
    params = (_ffi.wasmtime_val_t * len(args))()
    for slot, value in zip(params, args, strict=True):  # params is made len(args) long
        slot.kind = _ffi.WASMTIME_I32
        slot.of.i32 = value
    result = (_ffi.wasmtime_val_t * 1)()
    with enter_wasm(store) as trap:
        error = _ffi.wasmtime_func_call(store._context(), ctypes.byref(func._func), params, len(args), result, 1,
                                        trap)
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
    return result[0].of.i32


def _read_captures(store: wasmtime.Store, memory: wasmtime.Memory, buffer: int,
                   outputs: tuple[CappedOutput, CappedOutput]) -> None:
    """Add what the guest captured to `outputs`, never past their caps (the guest is not trusted)."""
    try:
        fields = _CAPTURES.unpack(memory.read(store, buffer, buffer + _CAPTURES.size))
        for out, (data, length, _, truncated) in zip(outputs, (fields[:4], fields[4:]), strict=True):
            room = out.cap - len(out.data)
            if length:
                out.data += memory.read(store, data, data + min(length, room))
            out.truncated = out.truncated or bool(truncated) or length > room
    except (wasmtime.WasmtimeError, IndexError, struct.error):
        pass  # a guest that broke its own header gets no output
