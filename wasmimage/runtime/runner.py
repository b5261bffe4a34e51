"""The one way images are executed: a fresh, limited, isolated wasmtime Store per call.

The rooms of a call, each a module of its own:
  limits.py         Limits and the outcomes a call ends with
  program.py        Program: an image's interpreter, deserialized once (load_program)
  script_dirs.py    the script as a file, in a read-only /script directory of its own
  guest_threads.py  the threads guest code runs on (a known native stack) and what they link
  deadline.py       the wall-clock deadline, in wasm (epochs) and in WASI's one wait (poll_oneoff)
  snapshot_call.py  a call through a pre-initialized snapshot's ABI
  granted_dirs.py   the directories granted with `dirs=`, as private copies of their regular files
  outputs.py        capped output streams and the RunResult
This module puts them together: run_program() and run().

Thread-safety: one Engine and one deserialized Module per image are shared; every call
gets its own Store, WASI context and capture buffers. fork(): a process may fork after
loading programs (each process starts its own epoch ticker at its first call), but not
after running a call: wasmtime's WASI runtime threads do not survive fork and the child's
calls would hang.

Isolation: no host directory, no environment variable and no argument reaches the
guest unless the caller grants it (a granted directory as a per-call copy of its regular
files). The script itself is the only file the guest sees, in a read-only directory of its
own (/script), besides files of the image its `run.mounts` names (a standard library zip,
say): read-only, from a private copy of just those files.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage.errors import InvalidInput
from wasmimage.runtime import deadline, epoch, granted_dirs, native
from wasmimage.runtime.engine import engine
from wasmimage.runtime.guest_threads import MAX_GUEST_THREADS, guest_exit, instance_pre, on_guest_thread
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.limits import MAX_TIMEOUT, OUTCOMES, Limits
from wasmimage.runtime.outputs import CappedOutput, Ended, RunResult, output_reason
from wasmimage.runtime.program import Program, load_program, program_from_run
from wasmimage.runtime.script_dirs import SCRIPT_DIR, scripts
from wasmimage.runtime.snapshot_call import export, run_snapshot

# The runner's public names; the records and constants live in the rooms named above.
__all__ = ["MAX_TIMEOUT", "OUTCOMES", "SCRIPT_DIR", "Limits", "Program", "RunResult", "load_program",
           "program_from_run", "run", "run_program"]


def run_program(program: Program, script: bytes, *, stdin: bytes = b"", args: tuple[str, ...] = (),
                env: Mapping[str, str] | None = None, dirs: Mapping[str, Path] | None = None,
                scratch: str | None = None, limits: Limits = Limits()) -> RunResult:
    """Run `script` in a fresh instance of `program` under `limits`.

    `env`, `dirs` (guest path -> host directory, mounted read-only) and `scratch` (a guest
    path where the call gets a new, empty, writable directory of its own, deleted when the
    call ends; granted_dirs.py says what bounds it) are grants: without them the guest sees
    no environment and no host directory, and can write nowhere. Safe to call from several
    threads at once. The deadline counts from this call, so time spent waiting for a free
    guest thread is part of it.
    """
    started = time.monotonic()
    _check_grants(script, stdin, args, env, dirs, scratch, limits)
    if limits.fuel is not None and not program.config.consume_fuel:
        raise ValueError("limits.fuel: this program does not meter fuel; load it with load_program(image, fuel=True)")
    result: RunResult = on_guest_thread(_run_here, program, script, stdin, args, env, dirs, scratch, limits, started)
    return result


def _check_grants(script: bytes, stdin: bytes, args: tuple[str, ...], env: Mapping[str, str] | None,
                  dirs: Mapping[str, Path] | None, scratch: str | None, limits: Limits) -> None:
    """Refuse malformed arguments by name (ValueError) before anything reaches wasmtime."""
    for name, value in (("script", script), ("stdin", stdin)):
        if not isinstance(value, (bytes, bytearray)):
            raise ValueError(f"{name}: must be bytes, not {type(value).__name__}")
    if isinstance(args, (str, bytes)) or not all(isinstance(a, str) and "\0" not in a for a in args):
        raise ValueError(f"args: must be a sequence of strings without NUL, not {args!r}")
    for key, setting in (env or {}).items():
        if not (isinstance(key, str) and isinstance(setting, str) and key and "=" not in key
                and "\0" not in key + setting):
            raise ValueError(f"env: {key!r}={setting!r} is not a variable (str name without = or NUL, str value)")
    for guest, host in (dirs or {}).items():
        if not isinstance(guest, str) or not guest.startswith("/") or guest.rstrip("/") == SCRIPT_DIR:
            raise ValueError(f"dirs: guest path {guest!r} must be absolute and not {SCRIPT_DIR}")
        if not Path(host).is_dir():
            raise ValueError(f"dirs: {guest!r} -> {str(host)!r} is not a directory")
    if scratch is not None and (not isinstance(scratch, str) or not scratch.startswith("/")
                                or scratch.rstrip("/") == SCRIPT_DIR or scratch in (dirs or {})):
        raise ValueError(f"scratch: guest path {scratch!r} must be absolute, not {SCRIPT_DIR} nor one of dirs")
    if not isinstance(limits, Limits):
        raise ValueError(f"limits: must be a wasmimage.runtime.runner.Limits, not {type(limits).__name__}")


class _Call:
    """One call's outputs and what the result reports of it, gathered while it runs."""

    def __init__(self, limits: Limits, started: float) -> None:
        self.limits, self.started = limits, started
        self.stdout, self.stderr = CappedOutput(limits.max_stdout_bytes), CappedOutput(limits.max_stderr_bytes)
        self.ticks = self.memory_bytes = 0
        self.fuel_consumed: int | None = None

    def result(self, outcome: str, reason: str, exit_code: int | None = None) -> RunResult:
        return RunResult(outcome, reason, exit_code, bytes(self.stdout.data), bytes(self.stderr.data),
                         round(time.monotonic() - self.started, 6), self.stdout.truncated, self.stderr.truncated,
                         self.ticks, limits=self.limits, memory_bytes=self.memory_bytes,
                         fuel_consumed=self.fuel_consumed)

    def memory_at_cap(self) -> bool:
        """Whether the guest's linear memory (which never shrinks) grew to within 1/16 of the cap: a guest that
        failed there ran out of memory. What the host measured, where an exit code is only what the guest says
        (any code can os._exit(4)); the Wikifunctions host's rule for the Python executors' exit code 4 too."""
        return self.memory_bytes >= self.limits.memory_bytes - self.limits.memory_bytes // 16

    def ended(self, outcome: str, reason: str) -> RunResult:
        """The result of a call the host ended (Ended)."""
        if outcome == "timeout":
            reason = f"wall-clock deadline of {self.limits.timeout}s exceeded"
        elif outcome == "fuel_exhausted":
            reason = f"fuel limit of {self.limits.fuel} exhausted"
        elif outcome == "trap" and (self.stdout.truncated or self.stderr.truncated):
            outcome, reason = "output_limit", output_reason(self.stdout, self.stderr, self.limits)
        elif outcome == "trap" and self.memory_at_cap():
            # An interpreter that aborts when an allocation fails (Rust's handler: "memory allocation of
            # N bytes failed", then `unreachable`) ran out of memory: what the host measured says so
            outcome, reason = "memory_limit", f"out of memory (cap {self.limits.memory_bytes} bytes): {reason}"
        return self.result(outcome, reason)

    def exited(self, program: Program, exit_code: int) -> RunResult:
        """The result of a guest that exited by itself with `exit_code`."""
        if self.stdout.truncated or self.stderr.truncated:
            return self.result("output_limit", output_reason(self.stdout, self.stderr, self.limits), exit_code)
        if program.out_of_memory_exit_code is not None and exit_code == program.out_of_memory_exit_code:
            return self.result("memory_limit", f"out of memory (cap {self.limits.memory_bytes} bytes)", exit_code)
        if exit_code != 0 and self.memory_at_cap():  # CPython's uncaught MemoryError: one line, exit 4
            return self.result("memory_limit", f"out of memory (cap {self.limits.memory_bytes} bytes): exited with "
                                               f"code {exit_code}", exit_code)
        if exit_code != 0:
            return self.result("error", f"exited with code {exit_code}", exit_code)
        return self.result("ok", "exited with code 0", 0)


def _run_here(program: Program, script: bytes, stdin: bytes, args: tuple[str, ...],
              env: Mapping[str, str] | None, dirs: Mapping[str, Path] | None, scratch: str | None,
              limits: Limits, started: float) -> RunResult:
    call = _Call(limits, started)
    if len(stdin) > limits.max_stdin_bytes:
        return call.result("error", f"stdin is {len(stdin)} bytes, over the {limits.max_stdin_bytes}-byte cap")
    if time.monotonic() >= started + limits.timeout:
        return call.result("timeout", f"wall-clock deadline of {limits.timeout}s exceeded while the call waited "
                                      f"for one of the {MAX_GUEST_THREADS} guest threads")
    script_path = f"{SCRIPT_DIR}/{program.script_name}"
    with ExitStack() as cleanup:
        script_dir = cleanup.enter_context(scripts.use(program.script_name, script))
        try:
            granted = cleanup.enter_context(granted_dirs.staged(dirs, limits.max_dir_bytes, scratch))
        except granted_dirs.OverLimit as over:
            return call.result("error", str(over))
        wasi = _wasi_config(program, script_path, script_dir, stdin, args, env, granted, scratch, call)
        store = _new_store(program, limits, wasi)
        call.ticks = deadline.arm(store, started + limits.timeout)
        try:
            instance = _instantiate(store, program)
            try:
                exit_code = _start(store, instance, program, script_path, script, call)
            finally:
                ended_at = time.monotonic()
                call.memory_bytes = _memory_bytes(store, instance)
                if program.config.consume_fuel:
                    call.fuel_consumed = (limits.fuel or _UNMETERED_FUEL) - store.get_fuel()
        except Ended as ended:
            return call.ended(*ended.args)
        finally:
            store.close()  # release the guest's files before their directory may go
    if ended_at > started + limits.timeout:  # checkpoints a starved ticker missed let it finish late: still late
        return call.ended("timeout", "")
    return call.exited(program, exit_code)


# The budget of a fuel-metering program's call without Limits.fuel: what it used is still reported
_UNMETERED_FUEL = 2**63 - 1


def _new_store(program: Program, limits: Limits, wasi: wasmtime.WasiConfig) -> wasmtime.Store:
    """A Store of the engine `program` was made for, with the call's limits and its WASI."""
    program_engine = engine(program.config)
    epoch.ensure_ticking(program_engine)
    store = wasmtime.Store(program_engine)
    store.set_limits(memory_size=limits.memory_bytes, table_elements=limits.max_table_elements,
                     instances=limits.max_instances, tables=limits.max_tables, memories=limits.max_memories)
    if program.config.consume_fuel:
        store.set_fuel(limits.fuel or _UNMETERED_FUEL)
    store.set_wasi(wasi)
    return store


def _wasi_config(program: Program, script_path: str, script_dir: Path, stdin: bytes, args: tuple[str, ...],
                 env: Mapping[str, str] | None, dirs: Mapping[str, Path], scratch: str | None,
                 call: _Call) -> wasmtime.WasiConfig:
    """What the guest sees: argv, the granted environment, stdin, the capped streams and, read-only,
    the image's mounts first (a snapshot's init saw them at these descriptors: snapshot.py), then
    the script's directory (a file on both paths, though a snapshot takes it through its ABI), then
    the granted directories' private copies (granted_dirs.py), the scratch one writable."""
    wasi = wasmtime.WasiConfig()
    wasi.argv = [a.replace("{script}", script_path) for a in program.argv] + list(args)
    if env:  # a new WasiConfig's environment is empty (setting it empty costs two argv-style arrays)
        wasi.env = sorted(env.items())
    _set_stdin_bytes(wasi, stdin)
    # A snapshot may also give output through its ABI's captures (QuickJS's does), read after the call
    wasi.stdout_custom = call.stdout
    wasi.stderr_custom = call.stderr
    for guest, host in program.mounts:
        wasi.preopen_dir(host, guest, fs_mutable=False)
    wasi.preopen_dir(str(script_dir), SCRIPT_DIR, fs_mutable=False)
    for guest, granted in sorted(dirs.items()):
        wasi.preopen_dir(str(granted), guest, fs_mutable=guest == scratch)
    return wasi


def _set_stdin_bytes(wasi: wasmtime.WasiConfig, data: bytes) -> None:
    """The guest's stdin is `data`, held in memory (wasmtime-py binds no setter for it)."""
    vec = _ffi.wasm_byte_vec_t()
    _ffi.wasm_byte_vec_new(ctypes.byref(vec), len(data), ctypes.cast(ctypes.c_char_p(data),
                                                                     ctypes.POINTER(ctypes.c_uint8)))
    _ffi.wasi_config_set_stdin_bytes(wasi.ptr(), ctypes.byref(vec))  # takes the vector over


def _instantiate(store: wasmtime.Store, program: Program) -> wasmtime.Instance:
    try:
        return instance_pre(engine(program.config), program.module).instantiate(store)
    except wasmtime.WasmtimeError as exc:
        raise Ended("memory_limit" if "limit" in str(exc) else "trap", f"cannot instantiate: {exc}") from None


def _memory_bytes(store: wasmtime.Store, instance: wasmtime.Instance) -> int:
    """The size of the instance's exported linear memory (what the guest grew it to)."""
    try:
        memory = export(store, instance, "memory", wasmtime.Memory)
    except (KeyError, InvalidInput):  # a command may export none, or something else by that name
        return 0
    return memory.data_len(store)


def _start(store: wasmtime.Store, instance: wasmtime.Instance, program: Program, script_path: str, script: bytes,
           call: _Call) -> int:
    """Run the script (`_start`, or a snapshot's run export); returns the exit code or raises Ended."""
    guest_exit.code = None
    try:
        if program.snapshot:
            return run_snapshot(store, instance, program, script_path.encode(), script, call.stdout, call.stderr)
        start = instance.exports(store)["_start"]
        assert isinstance(start, wasmtime.Func)  # load_program checked the command's exports (snapshot_abi)
        start(store)
        return 0
    except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
        if guest_exit.code is not None:  # proc_exit (guest_threads), whatever the code
            return guest_exit.code
        raise _ended_by(exc) from None


def _ended_by(exc: wasmtime.Trap | wasmtime.WasmtimeError) -> Ended:
    """What stopped the guest: fuel, the deadline (deadline.py's error) or a trap ("wasm trap: ...")."""
    if isinstance(exc, wasmtime.Trap):
        if exc.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
            return Ended("fuel_exhausted", "")
        return Ended("trap", exc.message.strip().splitlines()[-1].strip())
    if deadline.DEADLINE_PASSED.decode() in str(exc):
        return Ended("timeout", "")
    return Ended("trap", f"wasmtime error: {str(exc).strip().splitlines()[-1].strip()}")


def run(image: Image | Path | str, script: bytes | str | Path, store: native.NativeStore | None = None,
        **options: Any) -> RunResult:
    """Run a script (source bytes/str, or a Path to a file) in an image (an Image or its directory).

    `store` says which .cwasm files load (load_program); options are those of run_program: stdin,
    args, env, dirs, scratch, limits.
    """
    if not isinstance(image, Image):
        image = open_image(Path(image))
    if isinstance(script, Path):
        script = script.read_bytes()
    elif isinstance(script, str):
        script = script.encode()
    metered = getattr(options.get("limits"), "fuel", None) is not None
    return run_program(load_program(image, store=store, fuel=metered), script, **options)
