"""The engine's epoch ticker: what turns epoch deadlines into wall-clock deadlines.

A Python thread cannot be the ticker: it needs the GIL for every tick, so host threads
spinning in Python stretched a 2 s limit to 15 s, and a C call holding the GIL (a long
regex) stopped time altogether. On Linux the ticker is a POSIX timer instead:
`timer_create(CLOCK_MONOTONIC, SIGEV_THREAD)` makes glibc call a C function on its own
thread every tick, and that function is wasmtime's `wasmtime_engine_increment_epoch`
itself, from the libwasmtime that wasmtime-py bundles, with the engine as its argument.
No Python code runs per tick, so no tick waits for the GIL.

ABI: the notify function receives a `union sigval` by value. On the 64-bit Linux targets
wasmtime-py ships (x86_64, aarch64) that union is pointer-sized and passed exactly like a
pointer (first integer register), so `sigev_value.sival_ptr = engine` arrives as
`increment_epoch(engine)`. The engine the timer holds is a `wasmtime_engine_clone`
handle that is never freed: the timer can fire until the process ends, even while Python
shuts down and drops its own Engine object.

Elsewhere (or if the timer cannot be made) a Python thread ticks, with the old weakness.
Timers and threads do not survive fork(): a child starts its own (see ensure_ticking).
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import threading
import time
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage import log

TICK_SECONDS = 0.01
_CLOCK_MONOTONIC, _SIGEV_THREAD = 1, 2
_NATIVE = sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")


class _Sigevent(ctypes.Structure):
    """Linux `struct sigevent` for SIGEV_THREAD (64 bytes on LP64)."""

    _fields_ = [("sigev_value", ctypes.c_void_p), ("sigev_signo", ctypes.c_int), ("sigev_notify", ctypes.c_int),
                ("sigev_notify_function", ctypes.c_void_p), ("sigev_notify_attributes", ctypes.c_void_p),
                ("padding", ctypes.c_byte * 32)]


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


# pid: the process whose tickers `engines` (ids of the engines, which live as long as the process)
# are; timer_pid: the process where a timer ran, this one or an ancestor
_ticking: dict[str, Any] = {"pid": None, "engines": set(), "timer_pid": None}
_start_lock = threading.Lock()


def ensure_ticking(engine: wasmtime.Engine) -> None:
    """Bump `engine`'s epoch every TICK_SECONDS from now on in this process (cheap once started).

    One ticker per engine (the runner's, and its fuel-metering twin). Started by an engine's
    first call, not with the engine: glibc's timer thread holds a lock while it starts each
    notification, and a child forked at that moment would deadlock in its own timer_create. A
    process that only loads programs and forks (a prefork server) never ticks, so its children
    can start their own timers; a process descended from one whose timer ran uses Python
    threads instead.
    """
    pid = os.getpid()
    if _ticking["pid"] == pid and id(engine) in _ticking["engines"]:
        return
    with _start_lock:
        if _ticking["pid"] != pid:
            _ticking["pid"], _ticking["engines"] = pid, set()
        if id(engine) in _ticking["engines"]:
            return
        _ticking["engines"].add(id(engine))
        if _NATIVE and _ticking["timer_pid"] in (None, pid):
            try:
                _start_timer(_clone(engine))
                _ticking["timer_pid"] = pid
                return
            except OSError as exc:
                log.get("epoch").warning(f"no POSIX timer for the epoch ticker ({exc}); using a Python thread, "
                                         f"whose deadlines stretch while other threads hold the GIL")
        _start_thread(engine)


def _after_fork_in_child() -> None:
    global _start_lock
    _start_lock = threading.Lock()  # another thread may have held it at fork


os.register_at_fork(after_in_child=_after_fork_in_child)


def _clone(engine: wasmtime.Engine) -> int:
    """The address of a new handle on `engine`'s shared state, never deleted."""
    handle = ctypes.cast(_ffi.wasmtime_engine_clone(engine.ptr()), ctypes.c_void_p).value
    if handle is None:  # OSError: the caller falls back to a ticker thread
        raise OSError("wasmtime_engine_clone returned NULL")
    return handle


def _start_timer(engine_handle: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    notify = ctypes.cast(_ffi.dll.wasmtime_engine_increment_epoch, ctypes.c_void_p).value
    event = _Sigevent(sigev_value=engine_handle, sigev_notify=_SIGEV_THREAD, sigev_notify_function=notify)
    timer = ctypes.c_void_p()
    if libc.timer_create(_CLOCK_MONOTONIC, ctypes.byref(event), ctypes.byref(timer)) != 0:
        raise OSError(ctypes.get_errno(), f"timer_create: {os.strerror(ctypes.get_errno())}")
    period = _Timespec(0, round(TICK_SECONDS * 1e9))
    if libc.timer_settime(timer, 0, ctypes.byref(_Itimerspec(period, period)), None) != 0:
        raise OSError(ctypes.get_errno(), f"timer_settime: {os.strerror(ctypes.get_errno())}")


def _start_thread(engine: wasmtime.Engine) -> None:
    def tick() -> None:
        while True:
            time.sleep(TICK_SECONDS)
            engine.increment_epoch()

    threading.Thread(target=tick, name="wasmimage-epoch", daemon=True).start()
