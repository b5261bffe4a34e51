"""A call through a snapshot's ABI (snapshot_abi.py, docs/snapshot.md): the script goes in through
guest memory, not argv and a file, and output comes back from capture buffers there too.

Per call this is host work around a guest run of tens of microseconds, so it looks up only the
exports it uses (wasmtime-py's instance.exports() wraps every export of the module: about 20 us
more) and moves bytes in and out of guest memory with one memmove each, no intermediate copies.
"""

from __future__ import annotations

import ctypes
import struct
from typing import TypeVar

import wasmtime
from wasmtime import _ffi
from wasmtime._func import enter_wasm

from wasmimage.digests import sha256_hex
from wasmimage.errors import InvalidInput
from wasmimage.runtime.outputs import CappedOutput, Ended
from wasmimage.runtime.program import Program
from wasmimage.runtime.snapshot_abi import ALLOC, RUN, RUN_PRELOADED

# snapshot.py's ABI: wasmimage_run's call buffer starts with two captures (stdout, stderr), each
# data pointer, length, cap and truncated flag (u32), then the file name, NUL, the source, NUL.
_CAPTURES = struct.Struct("<8I")
_CAPTURE_CAP_MAX = 2**31
_Extern = TypeVar("_Extern", wasmtime.Func, wasmtime.Memory)
_EXTERN_KINDS = {wasmtime.Func: _ffi.WASMTIME_EXTERN_FUNC.value, wasmtime.Memory: _ffi.WASMTIME_EXTERN_MEMORY.value}


def run_snapshot(store: wasmtime.Store, instance: wasmtime.Instance, program: Program, script_path: bytes,
                 script: bytes, stdout: CappedOutput, stderr: CappedOutput) -> int:
    """Hand the script to a snapshot's run export; returns its exit code. Output is read back even after a trap.

    A script the snapshot prepared at build time (an executor) runs from its slot, not parsed again.
    """
    caps = [min(out.cap, _CAPTURE_CAP_MAX) for out in (stdout, stderr)]
    slot = program.preloaded.get(sha256_hex(script)) if program.preloaded else None
    call = _CAPTURES.pack(0, 0, caps[0], 0, 0, 0, caps[1], 0)
    if slot is None:
        call += b"%s\0%s\0" % (script_path, script)
    buffer = _call_i32(store, export(store, instance, ALLOC, wasmtime.Func), len(call)) & 0xFFFFFFFF
    if not buffer:
        raise Ended("memory_limit", f"no room for a {len(script)}-byte script")
    memory = export(store, instance, "memory", wasmtime.Memory)
    if not _write(store, memory, buffer, call):
        raise Ended("trap", f"the snapshot's {ALLOC} gave a buffer outside its memory")
    try:
        if slot is not None:
            return _call_i32(store, export(store, instance, RUN_PRELOADED, wasmtime.Func), buffer, slot)
        return _call_i32(store, export(store, instance, RUN, wasmtime.Func), buffer, len(script_path), len(script))
    finally:
        _read_captures(store, memory, buffer, (stdout, stderr))


def export(store: wasmtime.Store, instance: wasmtime.Instance, name: str, kind: type[_Extern]) -> _Extern:
    """The instance's export `name` as a `kind`, looked up alone: KeyError if there is none, InvalidInput
    if it is another kind (export_problem vouched for the ABI's when the module was loaded: typed_export)."""
    item = _ffi.wasmtime_extern_t()
    encoded = name.encode()
    if not _ffi.wasmtime_instance_export_get(store._context(), ctypes.byref(instance._instance), encoded,
                                             len(encoded), ctypes.byref(item)):
        raise KeyError(name)
    if item.kind != _EXTERN_KINDS[kind]:
        raise InvalidInput(f"the export {name} is not a {kind.__name__}")
    found: _Extern = kind._from_raw(item.of.func if kind is wasmtime.Func else item.of.memory)  # type: ignore[arg-type]
    return found


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


def _write(store: wasmtime.Store, memory: wasmtime.Memory, at: int, data: bytes) -> bool:
    """Copy `data` into guest memory at `at`; False (nothing written) where it does not fit."""
    if not 0 <= at <= memory.data_len(store) - len(data):
        return False
    ctypes.memmove(ctypes.addressof(memory.data_ptr(store).contents) + at, data, len(data))
    return True


def _read(store: wasmtime.Store, memory: wasmtime.Memory, start: int, length: int) -> bytes:
    """Guest memory from `start`, at most `length` bytes: cut at the memory's end, as Memory.read cuts."""
    length = min(length, memory.data_len(store) - start)
    return ctypes.string_at(ctypes.addressof(memory.data_ptr(store).contents) + start, length) if length > 0 else b""


def _read_captures(store: wasmtime.Store, memory: wasmtime.Memory, buffer: int,
                   outputs: tuple[CappedOutput, CappedOutput]) -> None:
    """Add what the guest captured to `outputs`, never past their caps (the guest is not trusted)."""
    try:
        fields = _CAPTURES.unpack(_read(store, memory, buffer, _CAPTURES.size))
        for out, (data, length, _, truncated) in zip(outputs, (fields[:4], fields[4:]), strict=True):
            room = out.cap - len(out.data)
            if length:
                out.data += _read(store, memory, data, min(length, room))
            out.truncated = out.truncated or bool(truncated) or length > room
    except (wasmtime.WasmtimeError, IndexError, struct.error):
        pass  # a guest that broke its own header gets no output
