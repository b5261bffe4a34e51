"""The threads guest code runs on, and what each keeps: a Linker and the linked modules.

wasmtime lets wasm use max_wasm_stack (8 MiB: engine.py) of the *calling* thread's native
stack before it traps; it cannot know how big that stack really is. glibc gives threads 2 MiB
when `ulimit -s` is unlimited and servers often choose less, and a guest that nests deeply
(JSON.parse('['.repeat(1e6))) would then overflow it and kill the process with SIGSEGV. So
guest code runs on threads with four times that (32 MiB of address space, touched only as
deep as a guest goes), room for the host's own frames beneath the wasm ones. The main
thread's stack is known: it grows up to RLIMIT_STACK, so a call made there runs there when
that is enough (`ulimit -s 32768` or more; the default 8 MiB is not), sparing the hop to a
pool thread (about 100 us of CPU per call, a quarter of a warm QuickJS call).
"""

from __future__ import annotations

import ctypes
import resource
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage.runtime.deadline import poll_oneoff
from wasmimage.runtime.engine import AOT_CONFIG

GUEST_STACK_BYTES = 4 * AOT_CONFIG.max_wasm_stack
MAX_GUEST_THREADS = 64  # concurrent calls beyond this wait for a free thread
_guest_pool = ThreadPoolExecutor(MAX_GUEST_THREADS, thread_name_prefix="wasmimage-guest")
_stack_size_lock = threading.Lock()
_MAIN_STACK_LIMIT = resource.getrlimit(resource.RLIMIT_STACK)[0]
_MAIN_THREAD_IS_ENOUGH = _MAIN_STACK_LIMIT == resource.RLIM_INFINITY or _MAIN_STACK_LIMIT >= GUEST_STACK_BYTES
WASI = "wasi_snapshot_preview1"
_linked = threading.local()  # per guest thread: a Linker per engine, and the modules linked with it


def on_guest_thread(function: Any, *args: Any) -> Any:
    """Run `function` on a thread whose native stack is at least GUEST_STACK_BYTES: the calling
    thread if it is the main thread and RLIMIT_STACK allows that much, else a pool thread."""
    if _MAIN_THREAD_IS_ENOUGH and threading.current_thread() is threading.main_thread():
        return function(*args)
    with _stack_size_lock:  # the pool starts its threads inside submit()
        previous = threading.stack_size(GUEST_STACK_BYTES)
        try:
            future = _guest_pool.submit(function, *args)
        finally:
            threading.stack_size(previous)
    return future.result()


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
