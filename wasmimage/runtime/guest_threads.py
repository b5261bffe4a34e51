"""The threads guest code runs on, and what each keeps: a Linker and the linked modules.

wasmtime lets wasm use max_wasm_stack (8 MiB: engine.py) of the *calling* thread's native
stack before it traps; it cannot know how big that stack really is. glibc gives threads 2 MiB
when `ulimit -s` is unlimited and servers often choose less, and a guest that nests deeply
(JSON.parse('['.repeat(1e6))) would then overflow it and kill the process with SIGSEGV. So
guest code runs on threads with four times that (32 MiB of address space, touched only as
deep as a guest goes), room for the host's own frames beneath the wasm ones.

The main thread's stack is known: on Linux it grows on demand up to RLIMIT_STACK, a limit the
kernel checks as it grows, with address space kept free below it for that. So a call made on
the main thread runs there: as it is when `ulimit -s` is 32 MiB or more, else with the soft
limit raised to GUEST_STACK_BYTES for the time of the call (when the hard limit and the room
below the stack allow: _main_stack_limit_raised) and put back after it. That spares the hop
to a pool thread, which costs the caller a sleep and a wake-up on another CPU each call (futex
calls, context switches, an idle CPU woken, TLB shootdowns as the guest's memory is mapped and
unmapped): measured per warm call, about 50 us of process CPU on a busy 2-core machine and 300
us on an idle one for QuickJS's print("hi") (a call of about 300 us), and about 1.7 ms for a
RustPython Wikifunctions request, whose memory is larger.

The hop, where it is needed (calls from other threads), is two lock hand-offs, not a
ThreadPoolExecutor: its Future, Condition and queue took about twice the CPU of two bare locks
(about 90 us of CPU per call against 50, measured around 400 us of GIL-free work).
"""

from __future__ import annotations

import _thread
import ctypes
import os
import resource
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage.runtime.deadline import poll_oneoff
from wasmimage.runtime.engine import AOT_CONFIG

GUEST_STACK_BYTES = 4 * AOT_CONFIG.max_wasm_stack
MAX_GUEST_THREADS = 64  # concurrent calls beyond this wait for a free thread
_stack_size_lock = threading.Lock()
_MAIN_STACK_LIMIT = resource.getrlimit(resource.RLIMIT_STACK)[0]
_MAIN_THREAD_IS_ENOUGH = _MAIN_STACK_LIMIT == resource.RLIM_INFINITY or _MAIN_STACK_LIMIT >= GUEST_STACK_BYTES
WASI = "wasi_snapshot_preview1"
_linked = threading.local()  # per guest thread: a Linker per engine, and the modules linked with it


def on_guest_thread(function: Any, *args: Any) -> Any:
    """Run `function` on a thread whose native stack is at least GUEST_STACK_BYTES: the calling
    thread if it is the main thread and RLIMIT_STACK allows that much (or may be raised to it for
    the call), else a pool thread."""
    if threading.current_thread() is threading.main_thread():
        if _MAIN_THREAD_IS_ENOUGH:
            return function(*args)
        with _main_stack_limit_raised() as raised:
            if raised:
                return function(*args)
    handoff = _Handoff(function, args)
    _pool.take().start(handoff)
    handoff.done.acquire()  # interrupted (the main thread's KeyboardInterrupt)? The call runs on regardless
    if handoff.error is None:
        return handoff.result
    try:
        raise handoff.error
    finally:
        del handoff  # the traceback holds this frame: no cycle through the exception


# Address space the main stack must have free below its top for a raised limit: GUEST_STACK_BYTES twice
# over, for any guard gap the kernel keeps (1 MiB by default) and what sits near the stack. Linux leaves
# at least 128 MiB there (mmap_base), usually far more.
_MAIN_STACK_ROOM_NEEDED = 2 * GUEST_STACK_BYTES


@contextmanager
def _main_stack_limit_raised() -> Iterator[bool]:
    """RLIMIT_STACK's soft limit at GUEST_STACK_BYTES for the time of the context, then as it was; yields
    whether it is (False: the hard limit, the platform or the room below the stack does not allow it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= GUEST_STACK_BYTES:
        yield True
        return
    if not (hard == resource.RLIM_INFINITY or hard >= GUEST_STACK_BYTES) or not _main_stack_may_grow():
        yield False
        return
    try:
        resource.setrlimit(resource.RLIMIT_STACK, (GUEST_STACK_BYTES, hard))
    except (ValueError, OSError):
        yield False
        return
    try:
        yield True
    finally:
        resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))


@cache
def _main_stack_may_grow() -> bool:
    """Whether the main thread's stack can grow to GUEST_STACK_BYTES once RLIMIT_STACK allows it: Linux
    (a limit checked as the stack grows; macOS, say, sizes the main stack once, at exec), and the
    address space below the stack ([stack] in /proc/self/maps) free for _MAIN_STACK_ROOM_NEEDED."""
    if sys.platform != "linux":
        return False
    try:
        lines = Path("/proc/self/maps").read_text().splitlines()
        spans = [[int(address, 16) for address in line.split(maxsplit=1)[0].split("-")] for line in lines]
        bottom, top = next(span for span, line in zip(spans, lines, strict=True) if line.endswith("[stack]"))
    except (OSError, StopIteration, ValueError):
        return False
    below = max((end for _, end in spans if end <= bottom), default=0)
    return top - below >= _MAIN_STACK_ROOM_NEEDED


class _Handoff:
    """One call handed to a guest thread, and what came of it; `done` is held until it has ended."""

    __slots__ = ("function", "args", "done", "result", "error")

    def __init__(self, function: Any, args: tuple[Any, ...]) -> None:
        self.function, self.args = function, args
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None


class _GuestThread:
    """A thread with a GUEST_STACK_BYTES stack that runs the calls handed to it, one at a time."""

    def __init__(self) -> None:
        self._go = _thread.allocate_lock()
        self._go.acquire()
        self._handoff: _Handoff | None = None
        with _stack_size_lock:  # stack_size() is process-wide: set only around this start
            previous = threading.stack_size(GUEST_STACK_BYTES)
            try:
                threading.Thread(target=self._serve, name="wasmimage-guest").start()
            finally:
                threading.stack_size(previous)

    def start(self, handoff: _Handoff | None) -> None:
        """Run `handoff` (None: end the thread)."""
        self._handoff = handoff
        self._go.release()

    def _serve(self) -> None:
        while True:
            self._go.acquire()
            handoff, self._handoff = self._handoff, None
            if handoff is None:
                return
            try:
                handoff.result = handoff.function(*handoff.args)
            except BaseException as exc:  # the caller's to raise, as Future.result() did
                handoff.error = exc
            kept = _pool.give_back(self)  # before the release: the caller's next call may take this thread at once
            handoff.done.release()
            if not kept:
                return


class _Pool:
    """The guest threads, started as calls need them (at most MAX_GUEST_THREADS), the idle ones last-in
    first-out (the thread that just ran a call has its Linker and caches warm). At interpreter exit the
    idle ones end and the busy ones end after their call, which the exit waits for, as
    ThreadPoolExecutor's workers did."""

    def __init__(self) -> None:
        self._lock = threading.Condition(threading.Lock())
        self._idle: list[_GuestThread] = []
        self._started = 0
        self._closing = False

    def take(self) -> _GuestThread:
        with self._lock:
            while not self._idle and self._started >= MAX_GUEST_THREADS and not self._closing:
                self._lock.wait()
            if self._closing:
                raise RuntimeError("wasmimage: no guest calls after interpreter shutdown began")
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _GuestThread()
        except BaseException:
            with self._lock:
                self._started -= 1
                self._lock.notify()
            raise

    def give_back(self, thread: _GuestThread) -> bool:
        """Make `thread` idle again; False when the pool is closing and the thread is to end."""
        with self._lock:
            if self._closing:
                self._started -= 1
                return False
            self._idle.append(thread)
            self._lock.notify()
            return True

    def close(self) -> None:
        """End the idle threads, and the busy ones after their call (threading's exit joins them all)."""
        with self._lock:
            self._closing = True
            idle, self._idle = self._idle, []
            self._started -= len(idle)
            self._lock.notify_all()
        for thread in idle:
            thread.start(None)

    def after_fork_in_child(self) -> None:
        """A forked child has none of its parent's threads: it starts its own."""
        self._lock = threading.Condition(threading.Lock())
        self._idle, self._started = [], 0


_pool = _Pool()
# Before threading joins the non-daemon threads at exit (as concurrent.futures does): idle ones must end
threading._register_atexit(_pool.close)  # type: ignore[attr-defined]
os.register_at_fork(after_in_child=_pool.after_fork_in_child)


class _Exit(threading.local):
    """Per guest thread: the code the running call's guest passed to proc_exit (None: it has not)."""

    code: int | None = None


guest_exit = _Exit()
_EXITED = b"wasmimage: the guest called proc_exit"
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()


@_ffi.wasmtime_func_callback_t  # type: ignore[untyped-decorator]  # a ctypes CFUNCTYPE: untyped
def _proc_exit(env: Any, caller: Any, args: Any, nargs: int, results: Any, nresults: int) -> int:
    """WASI's proc_exit, keeping the guest's code for the runner (guest_exit.code) whatever it is.

    wasmtime's own makes a code of 126 or more an error that loses the code (WASI allows 0-125),
    which the runner could only report as a trap, a host outcome. A raw callback: it must not
    raise (see deadline.poll_oneoff), and returns the trap that ends the guest.
    """
    guest_exit.code = args[0].of.i32 & 0xFFFFFFFF if nargs == 1 else 1
    trap = ctypes.cast(_ffi.wasmtime_trap_new(_EXITED, len(_EXITED)), ctypes.c_void_p).value
    return trap if trap is not None else 0


def _linker(engine: wasmtime.Engine) -> wasmtime.Linker:
    """WASI, with poll_oneoff replaced by the one that keeps the call's deadline (deadline.py) and
    proc_exit by the one that keeps any exit code."""
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    linker.allow_shadowing = True
    i32 = wasmtime.ValType.i32()
    linker.define_func(WASI, "poll_oneoff", wasmtime.FuncType([i32] * 4, [i32]), poll_oneoff, access_caller=True)
    module, name, exit_type = WASI.encode(), b"proc_exit", wasmtime.FuncType([i32], [])  # alive through the call
    error = _ffi.wasmtime_linker_define_func(linker.ptr(), ctypes.create_string_buffer(module), len(module),
                                             ctypes.create_string_buffer(name), len(name), exit_type.ptr(),
                                             _proc_exit, None, _NO_FINALIZER)
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
    return linker


def instance_pre(engine: wasmtime.Engine, module: wasmtime.Module) -> wasmtime.InstancePre:
    """`module` (made for `engine`) linked once per guest thread; each call then only instantiates it."""
    if not hasattr(_linked, "linkers"):
        _linked.linkers, _linked.modules = {}, weakref.WeakKeyDictionary()
    pre: wasmtime.InstancePre | None = _linked.modules.get(module)
    if pre is None:
        linker = _linked.linkers.get(id(engine))
        if linker is None:
            linker = _linked.linkers[id(engine)] = _linker(engine)
        pre = _linked.modules[module] = linker.instantiate_pre(module)
    return pre
