"""The one way images are executed: a fresh, limited, isolated wasmtime Store per call.

Limits are on by default. The wall-clock deadline uses wasmtime's epoch interruption:
a POSIX timer bumps the engine's epoch every 10 ms without the GIL (runtime/epoch.py).
Ticks are a clock that can only run slow (a starved machine drops some), so a Store's
epoch deadline is a checkpoint, not the verdict: each checkpoint calls back into the host
(_on_epoch_deadline), which compares the monotonic clock with the call's absolute
deadline and either sets the next checkpoint at half the time left or ends the call.
Unlike fuel it costs almost nothing per instruction, and what the evaluator promises its
users is a time bound, not an instruction count. Epochs only interrupt wasm code, so the
one WASI call that can wait (poll_oneoff, i.e. sleep) is replaced by a version that never
waits past the deadline.

Thread-safety: one Engine and one deserialized Module per image are shared; every call
gets its own Store, WASI context and capture buffers. Guest code runs on a thread with
a known native stack (see _on_guest_thread): the main thread, or one of a pool.
fork(): a process may fork after loading programs (each process starts its own epoch
ticker at its first call), but not after running a call: wasmtime's WASI runtime threads do not survive
fork and the child's calls would hang.

Isolation: no host directory, no environment variable and no argument reaches the
guest unless the caller grants it. The script itself is the only file the guest sees,
in a read-only directory of its own (/script), besides files of the image its `run.mounts`
names (a standard library zip, say): read-only, from a private copy of just those files.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import hashlib
import math
import os
import resource
import shutil
import struct
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import wasmtime
from wasmtime import _ffi
from wasmtime._func import enter_wasm

from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.runtime import epoch, native
from wasmimage.runtime.engine import AOT_CONFIG, engine
from wasmimage.runtime.epoch import TICK_SECONDS as EPOCH_TICK_SECONDS
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.runtime.snapshot_abi import ABI_VERSION, ALLOC, RUN, RUN_PRELOADED

OUTCOMES = ("ok", "error", "timeout", "memory_limit", "output_limit", "trap")
SCRIPT_DIR = "/script"


MAX_TIMEOUT = 24 * 3600.0  # seconds; inf, nan, 0 and negatives are refused
_MAX_COUNT = 2**63 - 1  # wasmtime takes limits as int64; -1 there would mean "no limit"
_WASM_PAGE = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-call sandbox limits. Every one is on by default; out-of-range values raise ValueError."""

    timeout: float = 10.0  # wall-clock seconds
    memory_bytes: int = 256 * 1024 * 1024  # linear memory cap
    max_stdout_bytes: int = 1024 * 1024  # output beyond the cap is cut, never buffered
    max_stderr_bytes: int = 64 * 1024
    max_stdin_bytes: int = 16 * 1024 * 1024
    max_table_elements: int = 100_000
    max_instances: int = 1
    max_tables: int = 4
    max_memories: int = 1

    def __post_init__(self) -> None:
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"Limits.timeout: must be a number of seconds > 0 and <= {MAX_TIMEOUT:g}, "
                             f"not {timeout!r}")
        for name, low, high in (("memory_bytes", _WASM_PAGE, 2**32), ("max_stdout_bytes", 0, _MAX_COUNT),
                                ("max_stderr_bytes", 0, _MAX_COUNT), ("max_stdin_bytes", 0, _MAX_COUNT),
                                ("max_table_elements", 0, _MAX_COUNT), ("max_instances", 1, _MAX_COUNT),
                                ("max_tables", 0, _MAX_COUNT), ("max_memories", 0, _MAX_COUNT)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"Limits.{name}: must be an integer from {low} to {high}, not {value!r}")


@dataclass(frozen=True)
class Program:
    """A deserialized interpreter and how to hand it a script."""

    name: str
    module: wasmtime.Module
    argv: tuple[str, ...]  # "{script}" is replaced by the script's guest path
    script_name: str
    out_of_memory_exit_code: int | None = None
    mounts: tuple[tuple[str, str], ...] = ()  # (guest directory, host directory), granted read-only
    # A pre-initialized snapshot (snapshot.py): the script goes through its ABI, not argv and a file
    snapshot: bool = False
    preloaded_sha256: str | None = None  # a script the snapshot has compiled in (the call protocol's executor)


def program_from_run(name: str, module: wasmtime.Module, run: RunSpec, files_dir: Path | None = None,
                     digests: Mapping[str, Mapping[str, str]] | None = None, snapshot: bool = False,
                     preloaded_sha256: str | None = None) -> Program:
    """A Program from a recipe's or image's `run` section.

    The files `run.mounts` names are taken from files_dir, checked against `digests` (name ->
    {"sha256": ...}) and copied into a private directory per guest path, so that the guest
    sees those files and nothing else beside them; the copies go when the Program does.
    """
    mounts, staged = [], []
    for guest, names in run.mounts:
        host = Path(tempfile.mkdtemp(prefix="wasmimage-mount-"))
        staged.append(host)
        for file_name in names:
            expected = (digests or {}).get(file_name, {}).get("sha256")
            shutil.copyfile(files_dir / file_name, host / file_name)
            if files.sha256_file(host / file_name) != expected:
                for path in staged:
                    shutil.rmtree(path, ignore_errors=True)
                raise PipelineError(f"{files_dir / file_name}: does not match its recorded sha256 {expected}; "
                                    f"refusing to mount it at {guest}")
        mounts.append((guest, str(host)))
    program = Program(name, module, run.argv, run.script_name, run.out_of_memory_exit_code,
                      tuple(mounts), snapshot, preloaded_sha256)
    for path in staged:
        weakref.finalize(program, shutil.rmtree, path, True)
    return program


_programs: dict[tuple[str, str], Program] = {}
_programs_lock = threading.Lock()


def load_program(image: Image, snapshot: bool = True, store: native.NativeStore | None = None) -> Program:
    """The image's interpreter (its .cwasm only if trusted in `store`: native.py), cached per process
    by path and digest.

    Its snapshot when it has one of this runner's ABI (and `snapshot`), else its command.
    """
    snapshot = snapshot and image.has("snapshot") and image.manifest.get("snapshot", {}).get("abi") == ABI_VERSION
    role = "snapshot" if snapshot else "cwasm"
    key = (str(image.path), image.sha256(role))
    with _programs_lock:
        if key not in _programs:
            module = native.module_for(image, native.given_or_environ(store), role)
            preloaded = image.manifest["snapshot"].get("preloaded_sha256") if snapshot else None
            _programs[key] = program_from_run(image.name, module, image.run, image.path,
                                              image.manifest["files"], snapshot, preloaded)
        return _programs[key]


@dataclass
class RunResult:
    outcome: str
    reason: str
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    wall_seconds: float
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    epoch_deadline_ticks: int = 0
    epoch_tick_seconds: float = EPOCH_TICK_SECONDS
    limits: Limits = field(default_factory=Limits)
    memory_bytes: int = 0  # the guest's linear memory when it ended (0: never instantiated)

    def to_json(self) -> dict:
        data = asdict(self)
        data["stdout"] = self.stdout.decode("utf-8", "replace")
        data["stderr"] = self.stderr.decode("utf-8", "replace")
        return data


class _CappedOutput:
    """A WASI output stream that keeps at most `cap` bytes and fails writes past it."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.truncated = False

    def __call__(self, chunk: bytes) -> int:
        room = self.cap - len(self.data)
        if len(chunk) <= room:
            self.data += chunk
            return len(chunk)
        self.data += chunk[:room]
        self.truncated = True
        return -errno.EFBIG


_guest = threading.local()  # per guest thread: its Linker, the running call's deadline and clock origin


def _linker() -> wasmtime.Linker:
    linker = getattr(_guest, "linker", None)
    if linker is None:
        linker = wasmtime.Linker(engine())
        linker.define_wasi()
        linker.allow_shadowing = True
        i32 = wasmtime.ValType.i32()
        linker.define_func("wasi_snapshot_preview1", "poll_oneoff", wasmtime.FuncType([i32] * 4, [i32]),
                           _poll_oneoff, access_caller=True)
        _guest.linker = linker
        _guest.instance_pres = weakref.WeakKeyDictionary()
    return linker


def _instance_pre(module: wasmtime.Module) -> wasmtime.InstancePre:
    """The module linked once per guest thread; each call then only instantiates it."""
    linker = _linker()
    pre = _guest.instance_pres.get(module)
    if pre is None:
        pre = _guest.instance_pres[module] = linker.instantiate_pre(module)
    return pre


# WASI preview1 layouts: a subscription is 48 bytes (userdata u64, tag u8, then at 16 the
# clock id u32, timeout u64, precision u64, flags u16); an event is 32 bytes.
_SUBSCRIPTION, _CLOCK, _ABSTIME, _REALTIME, _EFAULT, _EINVAL = 48, 0, 1, 0, 21, 28
MAX_POLL_SUBSCRIPTIONS = 1024  # a guest has three streams and its directories; libc asks for a few
_CLOCK_FIELDS = struct.Struct("<I4xQ8xH")  # id, timeout, flags
_EVENT = struct.Struct("<QHB5xQH6x")  # userdata, error, type, fd_readwrite.nbytes, fd_readwrite.flags


def _poll_oneoff(caller: wasmtime.Caller, subs_ptr: int, events_ptr: int, count: int, nevents_ptr: int) -> int:
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
    return time.monotonic_ns() - _guest.monotonic_origin_ns


def _poll(caller: wasmtime.Caller, subs_ptr: int, events_ptr: int, count: int, nevents_ptr: int) -> int:
    if not 0 < count <= MAX_POLL_SUBSCRIPTIONS:  # this loop runs in Python, out of the deadline's reach
        return _EINVAL
    memory = caller.get("memory")
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
        time.sleep(min(timeout / 1e9, max(0.0, _guest.deadline - time.monotonic()) + 2 * EPOCH_TICK_SECONDS))
        ready.append(_EVENT.pack(userdata, 0, _CLOCK, 0, 0))
    memory.write(caller, b"".join(ready), events_ptr)
    memory.write(caller, struct.pack("<I", len(ready)), nevents_ptr)
    return 0


# wasmtime lets wasm use max_wasm_stack of the *calling* thread's native stack before it
# traps; it cannot know how big that stack really is. glibc gives threads 2 MiB when
# `ulimit -s` is unlimited and servers often choose less, and a guest that nests deeply
# (JSON.parse('['.repeat(1e6))) would then overflow it and kill the process with SIGSEGV.
# The main thread's stack is known: it grows up to RLIMIT_STACK (8 MiB by default), so a call
# made there runs there when that is enough, sparing the hop to a pool thread (about 100 us
# of CPU per call, a quarter of a warm QuickJS call).
GUEST_STACK_BYTES = 4 * AOT_CONFIG.max_wasm_stack
MAX_GUEST_THREADS = 64  # concurrent calls beyond this wait for a free thread
_guest_pool = ThreadPoolExecutor(MAX_GUEST_THREADS, thread_name_prefix="wasmimage-guest")
_stack_size_lock = threading.Lock()
_MAIN_STACK_LIMIT = resource.getrlimit(resource.RLIMIT_STACK)[0]
_MAIN_THREAD_IS_ENOUGH = _MAIN_STACK_LIMIT == resource.RLIM_INFINITY or _MAIN_STACK_LIMIT >= GUEST_STACK_BYTES


def _on_guest_thread(function: Any, *args: Any) -> Any:
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


def run_program(program: Program, script: bytes, *, stdin: bytes = b"", args: tuple[str, ...] = (),
                env: Mapping[str, str] | None = None, dirs: Mapping[str, Path] | None = None,
                limits: Limits = Limits()) -> RunResult:
    """Run `script` in a fresh instance of `program` under `limits`.

    `env` and `dirs` (guest path -> host directory, mounted read-only) are grants:
    without them the guest sees no environment and no host directory. Safe to call from
    several threads at once. The deadline counts from this call, so time spent waiting
    for a free guest thread is part of it.
    """
    started = time.monotonic()
    _check_grants(script, stdin, args, env, dirs, limits)
    return _on_guest_thread(_run_here, program, script, stdin, args, env, dirs, limits, started)


def _check_grants(script: bytes, stdin: bytes, args: tuple[str, ...], env: Mapping[str, str] | None,
                  dirs: Mapping[str, Path] | None, limits: Limits) -> None:
    """Refuse malformed arguments by name (ValueError) before anything reaches wasmtime."""
    for name, value in (("script", script), ("stdin", stdin)):
        if not isinstance(value, (bytes, bytearray)):
            raise ValueError(f"{name}: must be bytes, not {type(value).__name__}")
    if isinstance(args, (str, bytes)) or not all(isinstance(a, str) and "\0" not in a for a in args):
        raise ValueError(f"args: must be a sequence of strings without NUL, not {args!r}")
    for key, value in (env or {}).items():
        if not (isinstance(key, str) and isinstance(value, str) and key and "=" not in key
                and "\0" not in key + value):
            raise ValueError(f"env: {key!r}={value!r} is not a variable (str name without = or NUL, str value)")
    for guest, host in (dirs or {}).items():
        if not isinstance(guest, str) or not guest.startswith("/") or guest.rstrip("/") == SCRIPT_DIR:
            raise ValueError(f"dirs: guest path {guest!r} must be absolute and not {SCRIPT_DIR}")
        if not Path(host).is_dir():
            raise ValueError(f"dirs: {guest!r} -> {str(host)!r} is not a directory")
    if not isinstance(limits, Limits):
        raise ValueError(f"limits: must be a wasmimage.runtime.runner.Limits, not {type(limits).__name__}")


def _run_here(program: Program, script: bytes, stdin: bytes, args: tuple[str, ...],
              env: Mapping[str, str] | None, dirs: Mapping[str, Path] | None, limits: Limits,
              started: float) -> RunResult:
    deadline = started + limits.timeout
    ticks = 0

    def result(outcome: str, reason: str, exit_code: int | None = None) -> RunResult:
        return RunResult(outcome, reason, exit_code, bytes(stdout.data), bytes(stderr.data),
                         round(time.monotonic() - started, 6), stdout.truncated, stderr.truncated, ticks,
                         limits=limits, memory_bytes=memory_bytes)

    stdout, stderr = _CappedOutput(limits.max_stdout_bytes), _CappedOutput(limits.max_stderr_bytes)
    memory_bytes = 0
    if len(stdin) > limits.max_stdin_bytes:
        return result("error", f"stdin is {len(stdin)} bytes, over the {limits.max_stdin_bytes}-byte cap")
    if time.monotonic() >= deadline:
        return result("timeout", f"wall-clock deadline of {limits.timeout}s exceeded while the call waited "
                                 f"for one of the {MAX_GUEST_THREADS} guest threads")
    with ExitStack() as cleanup:
        wasi = wasmtime.WasiConfig()
        script_path = f"{SCRIPT_DIR}/{program.script_name}"
        wasi.argv = [a.replace("{script}", script_path) for a in program.argv] + list(args)
        wasi.env = sorted((env or {}).items())
        _set_stdin_bytes(wasi, stdin)
        # A snapshot may also give output through its ABI's captures (QuickJS's does), read after the call
        wasi.stdout_custom = stdout
        wasi.stderr_custom = stderr
        # The image's mounts first: a snapshot's init saw them at these descriptors (snapshot.py).
        # The script is a file on both paths, though a snapshot takes it through its ABI.
        for guest, host in program.mounts:
            wasi.preopen_dir(host, guest, fs_mutable=False)
        script_dir = cleanup.enter_context(_scripts.use(program.script_name, script))
        wasi.preopen_dir(str(script_dir), SCRIPT_DIR, fs_mutable=False)
        for guest, host in sorted((dirs or {}).items()):
            wasi.preopen_dir(str(host), guest, fs_mutable=False)

        epoch.ensure_ticking(engine())
        store = wasmtime.Store(engine())
        store.set_limits(memory_size=limits.memory_bytes, table_elements=limits.max_table_elements,
                         instances=limits.max_instances, tables=limits.max_tables, memories=limits.max_memories)
        store.set_wasi(wasi)
        _guest.monotonic_origin_ns = time.monotonic_ns()
        _guest.deadline = deadline
        remaining = deadline - time.monotonic()
        ticks = max(1, math.ceil(remaining / EPOCH_TICK_SECONDS))
        _ffi.wasmtime_store_epoch_deadline_callback(store.ptr(), _on_epoch_deadline, None, _NO_FINALIZER)
        store.set_epoch_deadline(_next_checkpoint(remaining))
        try:
            instance = _instantiate(store, program.module)
            try:
                exit_code = _start(store, instance, program, script_path, script, stdout, stderr)
            finally:
                memory_bytes = _memory_bytes(store, instance)
        except _Ended as ended:
            outcome, reason = ended.args
            if outcome == "timeout":
                reason = f"wall-clock deadline of {limits.timeout}s exceeded"
            elif outcome == "trap" and (stdout.truncated or stderr.truncated):
                outcome, reason = "output_limit", _output_reason(stdout, stderr, limits)
            return result(outcome, reason)
        finally:
            store.close()  # release the guest's files before their directory may go
    if stdout.truncated or stderr.truncated:
        return result("output_limit", _output_reason(stdout, stderr, limits), exit_code)
    if program.out_of_memory_exit_code is not None and exit_code == program.out_of_memory_exit_code:
        return result("memory_limit", f"out of memory (cap {limits.memory_bytes} bytes)", exit_code)
    if exit_code != 0:
        return result("error", f"exited with code {exit_code}", exit_code)
    return result("ok", "exited with code 0", 0)


_DEADLINE_PASSED = b"wasmimage: the call's wall-clock deadline passed"
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()


def _next_checkpoint(remaining: float) -> int:
    """Ticks to the next deadline check: half the time left, so dropped ticks cost little."""
    return max(1, math.ceil(remaining / 2 / EPOCH_TICK_SECONDS))


@ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.POINTER(_ffi.wasmtime_context_t), ctypes.c_void_p,
                  ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(_ffi.wasmtime_update_deadline_kind_t))
def _on_epoch_deadline(context: Any, data: Any, delta: Any, kind: Any) -> int:
    """wasmtime's epoch-deadline callback, on the guest's thread: continue, or end the call.

    Returns NULL (0) to continue after `delta` more ticks, or a new wasmtime_error_t that
    ends the call (_start reports it as a timeout). It must not raise: ctypes would print
    the exception and return 0, i.e. let the guest run on.
    """
    try:
        remaining = _guest.deadline - time.monotonic()
        if remaining > 0:
            delta[0] = _next_checkpoint(remaining)
            kind[0] = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE
            return 0
    except Exception:  # noqa: BLE001 - ending the call is the safe answer to anything
        pass
    return ctypes.cast(_ffi.wasmtime_error_new(_DEADLINE_PASSED), ctypes.c_void_p).value


def _set_stdin_bytes(wasi: wasmtime.WasiConfig, data: bytes) -> None:
    """The guest's stdin is `data`, held in memory (wasmtime-py binds no setter for it)."""
    vec = _ffi.wasm_byte_vec_t()
    _ffi.wasm_byte_vec_new(ctypes.byref(vec), len(data), ctypes.cast(ctypes.c_char_p(data),
                                                                     ctypes.POINTER(ctypes.c_uint8)))
    _ffi.wasi_config_set_stdin_bytes(wasi.ptr(), ctypes.byref(vec))  # takes the vector over


RUN_DIR_PREFIX = "wasmimage-scripts-"


class _ScriptDirs:
    """Each distinct script in a directory of its own, mounted read-only as /script.

    The interpreter's argv names the script as a file, so it has to be one. The files live
    in one private directory per process, content-addressed: a script run again (an
    executor, a repeated job) costs no file writes, and up to KEEP_IDLE unused ones stay.
    The directory is flock-held while the process lives (files.owned_temp) and removed at
    exit; what a killed process left is removed by the next process that runs a script.
    """

    KEEP_IDLE = 32

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the parent's directory stays the parent's

    def _reset(self) -> None:
        self._root: Path | None = None
        self._in_use: dict[str, int] = {}
        self._idle: OrderedDict[str, None] = OrderedDict()

    def _root_dir(self) -> Path:
        if self._root is None:
            tmp = Path(tempfile.gettempdir())
            files.sweep_stale(tmp, RUN_DIR_PREFIX)
            owner = ExitStack()
            self._root = owner.enter_context(files.owned_temp(tmp, RUN_DIR_PREFIX, is_dir=True))
            pid = os.getpid()
            atexit.register(lambda: os.getpid() == pid and owner.close())
        return self._root

    @contextmanager
    def use(self, script_name: str, script: bytes) -> Iterator[Path]:
        key = hashlib.sha256(script_name.encode() + b"\0" + script).hexdigest()
        with self._lock:
            path = self._root_dir() / key
            if key in self._idle:
                del self._idle[key]
            elif key not in self._in_use:
                path.mkdir(exist_ok=True)
                (path / script_name).write_bytes(script)
            self._in_use[key] = self._in_use.get(key, 0) + 1
        try:
            yield path
        finally:
            with self._lock:
                self._in_use[key] -= 1
                if not self._in_use[key]:
                    del self._in_use[key]
                    self._idle[key] = None
                    while len(self._idle) > self.KEEP_IDLE:
                        shutil.rmtree(path.parent / self._idle.popitem(last=False)[0], ignore_errors=True)


_scripts = _ScriptDirs()


class _Ended(Exception):
    """The guest did not exit by itself: carries (outcome, reason)."""


def _instantiate(store: wasmtime.Store, module: wasmtime.Module) -> wasmtime.Instance:
    try:
        return _instance_pre(module).instantiate(store)
    except wasmtime.WasmtimeError as exc:
        raise _Ended("memory_limit" if "limit" in str(exc) else "trap", f"cannot instantiate: {exc}") from None


def _memory_bytes(store: wasmtime.Store, instance: wasmtime.Instance) -> int:
    """The size of the instance's exported linear memory (what the guest grew it to)."""
    memory = instance.exports(store).get("memory")
    return memory.data_len(store) if isinstance(memory, wasmtime.Memory) else 0


def _start(store: wasmtime.Store, instance: wasmtime.Instance, program: Program, script_path: str, script: bytes,
           stdout: _CappedOutput, stderr: _CappedOutput) -> int:
    """Run the script (`_start`, or a snapshot's run export); returns the exit code or raises _Ended."""
    try:
        if program.snapshot:
            return _run_snapshot(store, instance, program, script_path.encode(), script, stdout, stderr)
        instance.exports(store)["_start"](store)
        return 0
    except wasmtime.ExitTrap as exc:
        return exc.code
    except wasmtime.Trap as exc:
        raise _Ended("trap", exc.message.strip().splitlines()[-1].strip()) from None  # "wasm trap: ..."
    except wasmtime.WasmtimeError as exc:
        if _DEADLINE_PASSED.decode() in str(exc):
            raise _Ended("timeout", "") from None
        raise _Ended("trap", f"wasmtime error: {str(exc).strip().splitlines()[-1].strip()}") from None


# snapshot.py's ABI: wasmimage_run's call buffer starts with two captures (stdout, stderr), each
# data pointer, length, cap and truncated flag (u32), then the file name, NUL, the source, NUL.
_CAPTURES = struct.Struct("<8I")
_CAPTURE_CAP_MAX = 2**31


def _run_snapshot(store: wasmtime.Store, instance: wasmtime.Instance, program: Program, script_path: bytes,
                  script: bytes, stdout: _CappedOutput, stderr: _CappedOutput) -> int:
    """Hand the script to a snapshot's run export; returns its exit code. Output is read back even after a trap.

    The script the snapshot compiled in (the executor) runs without being parsed again.
    """
    exports = instance.exports(store)
    caps = [min(out.cap, _CAPTURE_CAP_MAX) for out in (stdout, stderr)]
    preloaded = program.preloaded_sha256 is not None and hashlib.sha256(script).hexdigest() == program.preloaded_sha256
    call = _CAPTURES.pack(0, 0, caps[0], 0, 0, 0, caps[1], 0)
    if not preloaded:
        call += b"%s\0%s\0" % (script_path, script)
    buffer = _call_i32(store, exports[ALLOC], len(call)) & 0xFFFFFFFF
    if not buffer:
        raise _Ended("memory_limit", f"no room for a {len(script)}-byte script")
    memory = exports["memory"]
    memory.write(store, call, buffer)
    try:
        if preloaded:
            return _call_i32(store, exports[RUN_PRELOADED], buffer)
        return _call_i32(store, exports[RUN], buffer, len(script_path), len(script))
    finally:
        _read_captures(store, memory, buffer, (stdout, stderr))


def _call_i32(store: wasmtime.Store, func: wasmtime.Func, *args: int) -> int:
    """func(*args) for a function of i32s returning one i32 (the snapshot ABI's, checked when it was made).

    The same call as Func.__call__ (same traps and exit codes), without its per-call type
    lookups and conversions: about 20 us less per call. Uses wasmtime-py internals, so
    pyproject.toml pins wasmtime-py exactly.
    """
    params = (_ffi.wasmtime_val_t * len(args))()
    for slot, value in zip(params, args):
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
                   outputs: tuple[_CappedOutput, _CappedOutput]) -> None:
    """Add what the guest captured to `outputs`, never past their caps (the guest is not trusted)."""
    try:
        fields = _CAPTURES.unpack(memory.read(store, buffer, buffer + _CAPTURES.size))
        for out, (data, length, _, truncated) in zip(outputs, (fields[:4], fields[4:])):
            room = out.cap - len(out.data)
            if length:
                out.data += memory.read(store, data, data + min(length, room))
            out.truncated = out.truncated or bool(truncated) or length > room
    except (wasmtime.WasmtimeError, IndexError, struct.error):
        pass  # a guest that broke its own header gets no output


def _output_reason(stdout: _CappedOutput, stderr: _CappedOutput, limits: Limits) -> str:
    cut = []
    if stdout.truncated:
        cut.append(f"stdout over {limits.max_stdout_bytes} bytes")
    if stderr.truncated:
        cut.append(f"stderr over {limits.max_stderr_bytes} bytes")
    return "output cut: " + ", ".join(cut)


def run(image: Image | Path | str, script: bytes | str | Path, store: native.NativeStore | None = None,
        **options: Any) -> RunResult:
    """Run a script (source bytes/str, or a Path to a file) in an image (an Image or its directory).

    `store` says which .cwasm files load (load_program); options are those of run_program: stdin,
    args, env, dirs, limits.
    """
    if not isinstance(image, Image):
        image = open_image(Path(image))
    if isinstance(script, Path):
        script = script.read_bytes()
    elif isinstance(script, str):
        script = script.encode()
    return run_program(load_program(image, store=store), script, **options)
