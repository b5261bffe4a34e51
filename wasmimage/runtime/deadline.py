"""Wall-clock deadlines, held inside wasm and in the one WASI call that can wait.

Limits are on by default. The wall-clock deadline uses wasmtime's epoch interruption:
a POSIX timer bumps the engine's epoch every 10 ms without the GIL (runtime/epoch.py).
Ticks are a clock that can only run slow (a starved machine drops some), so a Store's
epoch deadline is a checkpoint, not the verdict: each checkpoint calls back into the host
(_on_epoch_deadline), which compares the monotonic clock with the call's absolute
deadline and either sets the next checkpoint at half the time left or ends the call.
Unlike fuel it costs almost nothing per instruction, and what the evaluator promises its
users is a time bound, not an instruction count. Epochs only interrupt wasm code, so the
one WASI call that can wait (poll_oneoff, i.e. sleep) is replaced by poll_oneoff here,
which never waits past the deadline.
"""

from __future__ import annotations

import ctypes
import math
import struct
import threading
import time
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage.runtime.epoch import TICK_SECONDS as EPOCH_TICK_SECONDS

_call = threading.local()  # per guest thread: the running call's deadline and its clock's origin
DEADLINE_PASSED = b"wasmimage: the call's wall-clock deadline passed"
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()


def arm(store: wasmtime.Store, deadline: float) -> int:
    """Hold `store`'s wasm to the monotonic `deadline` (call it just after store.set_wasi, which
    starts the guest's clocks); returns the ticks the deadline was, for the result."""
    _call.monotonic_origin_ns = time.monotonic_ns()
    _call.deadline = deadline
    remaining = deadline - time.monotonic()
    _ffi.wasmtime_store_epoch_deadline_callback(store.ptr(), _on_epoch_deadline, None, _NO_FINALIZER)
    store.set_epoch_deadline(_next_checkpoint(remaining))
    return max(1, math.ceil(remaining / EPOCH_TICK_SECONDS))


def _next_checkpoint(remaining: float) -> int:
    """Ticks to the next deadline check: half the time left, so dropped ticks cost little."""
    return max(1, math.ceil(remaining / 2 / EPOCH_TICK_SECONDS))


# ctypes' CFUNCTYPE is untyped: the ignore below says only that.
@ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.POINTER(_ffi.wasmtime_context_t), ctypes.c_void_p,  # type: ignore[untyped-decorator]
                  ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(_ffi.wasmtime_update_deadline_kind_t))
def _on_epoch_deadline(context: Any, data: Any, delta: Any, kind: Any) -> int:
    """wasmtime's epoch-deadline callback, on the guest's thread: continue, or end the call.

    Returns NULL (0) to continue after `delta` more ticks, or a new wasmtime_error_t that
    ends the call (_start reports it as a timeout). It must not raise: ctypes would print
    the exception and return 0, i.e. let the guest run on.
    """
    try:
        remaining = _call.deadline - time.monotonic()
        if remaining > 0:
            delta[0] = _next_checkpoint(remaining)
            kind[0] = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE
            return 0
    except Exception:
        pass
    error = ctypes.cast(_ffi.wasmtime_error_new(DEADLINE_PASSED), ctypes.c_void_p).value
    return error if error is not None else 0  # no error object made: nothing to end the call with


# WASI preview1 layouts: a subscription is 48 bytes (userdata u64, tag u8, then at 16 the
# clock id u32, timeout u64, precision u64, flags u16); an event is 32 bytes.
_SUBSCRIPTION, _CLOCK, _ABSTIME, _REALTIME, _EFAULT, _EINVAL = 48, 0, 1, 0, 21, 28
MAX_POLL_SUBSCRIPTIONS = 1024  # a guest has three streams and its directories; libc asks for a few
_CLOCK_FIELDS = struct.Struct("<I4xQ8xH")  # id, timeout, flags
_EVENT = struct.Struct("<QHB5xQH6x")  # userdata, error, type, fd_readwrite.nbytes, fd_readwrite.flags


def poll_oneoff(caller: wasmtime.Caller, subs_ptr: int, events_ptr: int, count: int, nevents_ptr: int) -> int:
    """WASI poll_oneoff that never waits past the call's deadline.

    wasmtime's own sleeps inside host code, where epoch interruption cannot reach, so a
    guest's sleep(1e9) would outlive any timeout. Here every stream is a regular file or a
    capture buffer, always ready, so only clock subscriptions wait, and at most until just
    after the deadline; the next epoch check in wasm then ends the call as a timeout.
    It must not raise: wasmtime-py keeps a host function's exception in one process-wide
    slot, where a call on another thread could pick it up.
    """
    try:
        return _poll(caller, subs_ptr, events_ptr, count, nevents_ptr)
    except Exception:  # no exported memory, or pointers outside it
        return _EFAULT


def _guest_monotonic_ns() -> int:
    """The guest's monotonic clock, which counts from its WASI context's creation: read on the
    host from just after that moment, so it is never ahead and an absolute sleep never ends early."""
    origin: int = _call.monotonic_origin_ns
    return time.monotonic_ns() - origin


def _poll(caller: wasmtime.Caller, subs_ptr: int, events_ptr: int, count: int, nevents_ptr: int) -> int:
    if not 0 < count <= MAX_POLL_SUBSCRIPTIONS:  # this loop runs in Python, out of the deadline's reach
        return _EINVAL
    memory = caller.get("memory")
    if not isinstance(memory, wasmtime.Memory):
        return _EFAULT
    subs = memory.read(caller, subs_ptr, subs_ptr + _SUBSCRIPTION * count)
    if len(subs) != _SUBSCRIPTION * count:
        return _EFAULT
    ready, clocks = [], []
    for at in range(0, len(subs), _SUBSCRIPTION):
        userdata, tag = struct.unpack_from("<QB", subs, at)
        if tag != _CLOCK:
            ready.append(_EVENT.pack(userdata, 0, tag, 0, 0))
            continue
        clock, timeout, flags = _CLOCK_FIELDS.unpack_from(subs, at + 16)
        if flags & _ABSTIME:  # CPython's time.sleep waits for an absolute time on the monotonic clock
            timeout = max(0, timeout - (time.time_ns() if clock == _REALTIME else _guest_monotonic_ns()))
        clocks.append((timeout, userdata))
    if not ready:
        timeout, userdata = min(clocks)
        time.sleep(min(timeout / 1e9, max(0.0, _call.deadline - time.monotonic()) + 2 * EPOCH_TICK_SECONDS))
        ready.append(_EVENT.pack(userdata, 0, _CLOCK, 0, 0))
    memory.write(caller, b"".join(ready), events_ptr)
    memory.write(caller, struct.pack("<I", len(ready)), nevents_ptr)
    return 0

