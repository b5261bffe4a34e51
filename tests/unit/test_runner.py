"""The sandbox contract of wasmimage.runner on tiny WASI programs (the same contract on the real
QuickJS image: tests/pipeline/test_runner.py).

Each test is written so that it fails if the limit or isolation it is about is removed:
a deadline that never fires makes `bounded` give up, a missing memory cap lets the
allocation loop get far past the cap, a missing output cap keeps more than the cap, and
so on. QuickJS has no file or environment API by design, so the runner's own isolation
(preopened directories, environment, arguments) is observed with a tiny WASI program,
tests/fixtures/wasi-probe.wat, and end to end with the rust-hello image (slow: it builds it).
"""

import os
import threading
from pathlib import Path

import pytest
import wasmtime

from wasmimage.runtime.engine import engine
from wasmimage.runtime.runner import Limits, Program, run_program

PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "wasi-probe.wat"
MARGIN = 0.5  # seconds a limit-ended call may take past its deadline (epoch tick: 10 ms)


@pytest.fixture(scope="session")
def probe():
    module = wasmtime.Module(engine(), PROBE.read_text())
    return Program("wasi-probe", module, ("probe",), "script.txt")


def bounded(function, seconds):
    """function() run on a thread; fails the test if it has not returned within `seconds`."""
    box = {}
    thread = threading.Thread(target=lambda: box.update(value=function()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds}s: the limit did not stop it"
    return box["value"]


def sleeper(nanoseconds: int, spin: bool, absolute: bool = False) -> Program:
    """A WASI program that sleeps (poll_oneoff on a clock), prints "woke" and then returns,
    or with `spin` loops forever so that only a deadline can end it. With `absolute` it
    sleeps until its monotonic clock reads now + nanoseconds, as CPython's time.sleep does."""
    add_now = "(i64.store (i32.const 24) (i64.add (i64.load (i32.const 24)) (i64.load (i32.const 400))))"
    wat = f"""(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 512) "woke")
      (func (export "_start")
        (i32.store (i32.const 16) (i32.const 1))          ;; clock: monotonic
        (i64.store (i32.const 24) (i64.const {nanoseconds}))
        {"(drop (call $now (i32.const 1) (i64.const 1) (i32.const 400)))" if absolute else ""}
        {add_now if absolute else ""}
        (i32.store16 (i32.const 40) (i32.const {1 if absolute else 0}))  ;; flags: subscription_clock_abstime
        (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 256)))
        (i32.store (i32.const 304) (i32.const 512))
        (i32.store (i32.const 308) (i32.const 4))
        (drop (call $write (i32.const 1) (i32.const 304) (i32.const 1) (i32.const 320)))
        {"(loop $spin (br $spin))" if spin else ""}))"""
    return Program("sleeper", wasmtime.Module(engine(), wat), ("sleeper",), "script")


def test_sleeping_guest_cannot_outlive_its_deadline():
    result = bounded(lambda: run_program(sleeper(30 * 10**9, spin=True), b"", limits=Limits(timeout=1)),
                     1 + 5 * MARGIN)
    assert result.outcome == "timeout"
    assert result.wall_seconds <= 1 + MARGIN


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_short_sleep_still_sleeps(absolute):
    result = run_program(sleeper(200 * 10**6, spin=False, absolute=absolute), b"", limits=Limits(timeout=1))
    assert result.outcome == "ok" and result.stdout == b"woke"
    assert 0.2 <= result.wall_seconds < 1


def test_absolute_sleep_cannot_outlive_its_deadline():
    result = bounded(lambda: run_program(sleeper(30 * 10**9, spin=True, absolute=True), b"",
                                         limits=Limits(timeout=1)), 1 + 5 * MARGIN)
    assert result.outcome == "timeout"


def test_nothing_is_granted_by_default(probe):
    result = run_program(probe, b"")
    assert result.outcome == "ok", result.reason
    assert result.stdout.decode() == (
        "args:probe\n"
        "env:\n"
        "dir:/script read=denied write=denied create=denied escape=denied\n")


def test_env_and_args_only_when_granted(probe):
    result = run_program(probe, b"", env={"GREETING": "hello world", "A": "1"}, args=("x",))
    assert "args:probe x\nenv:A=1 GREETING=hello world\n" in result.stdout.decode()


def test_granted_dir_is_readable_but_not_writable(probe, tmp_path):
    (tmp_path / "secret.txt").write_text("s3cret")
    result = run_program(probe, b"", dirs={"/data": tmp_path})
    lines = result.stdout.decode().splitlines()
    assert lines[2:] == ["dir:/script read=denied write=denied create=denied escape=denied",
                         "dir:/data read=s3cret write=denied create=denied escape=denied"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]
    assert (tmp_path / "secret.txt").read_text() == "s3cret"


def test_a_sleep_across_the_deadline_ends_as_a_timeout_even_if_no_checkpoint_follows():
    """Guards issue 24 item 9: a guest whose sleep (poll_oneoff) ran past the deadline and that then
    returned without another epoch check (no loop, no call into wasm) finished `ok`, late; under load
    the same happened to CPython's time.sleep when the starved ticker missed checkpoints. Fails if a
    call that ends after its deadline is reported as anything but a timeout."""
    result = bounded(lambda: run_program(sleeper(30 * 10**9, spin=False), b"", limits=Limits(timeout=0.5)), 5)
    assert result.stdout == b"woke"  # it did finish, after the deadline
    assert result.outcome == "timeout", (result.outcome, result.wall_seconds)


def exiter(code: int) -> Program:
    wat = f"""(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const {code})) (unreachable)))"""
    return Program("exiter", wasmtime.Module(engine(), wat), ("exiter",), "script")


@pytest.mark.parametrize("code", [0, 3, 125, 126, 200, 255, 256, 2**32 - 1])
def test_any_exit_code_is_the_guests_own_never_a_host_outcome(code):
    """Guards issue 24 item 14: wasmtime's proc_exit turns a code of 126 or more into an error that loses
    the code, which the runner reported as a `trap`, a host outcome. Fails if any exit is not reported
    as the guest's own exit with its code."""
    result = run_program(exiter(code), b"")
    assert (result.outcome, result.exit_code) == ("ok" if code == 0 else "error", code)


def test_a_fifo_in_a_granted_directory_cannot_block_a_call(probe, tmp_path):
    """Guards issue 24 item 6: host-side WASI file I/O is out of the deadline's reach, and opening a FIFO
    waits for a writer: the call blocked for ever. Fails if the guest reads the host directory itself
    (the call hangs, so `bounded` gives up) rather than a copy of its regular files."""
    (tmp_path / "readable.txt").write_text("kept")
    os.mkfifo(tmp_path / "secret.txt")
    result = bounded(lambda: run_program(probe, b"", dirs={"/data": tmp_path}, limits=Limits(timeout=2)),
                     2 + 5 * MARGIN)
    assert result.outcome == "ok", result.reason
    assert result.stdout.decode().splitlines()[-1] == "dir:/data read=denied write=denied create=denied escape=denied"


def test_granted_directories_are_copied_within_their_limit(probe, tmp_path):
    """Guards issue 24 item 6: the copies a call makes are bounded, and the error names the file and the
    limit. Fails if a granted file over Limits.max_dir_bytes is copied (or the call runs)."""
    (tmp_path / "secret.txt").write_text("s3cret")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big.bin").write_bytes(b"x" * 100)
    result = run_program(probe, b"", dirs={"/data": tmp_path}, limits=Limits(max_dir_bytes=50))
    assert (result.outcome, result.reason) == ("error", f"dirs: /data: {tmp_path}/sub/big.bin: the granted "
                                                        f"directories' files are over Limits.max_dir_bytes (50 bytes)")
    fits = run_program(probe, b"", dirs={"/data": tmp_path}, limits=Limits(max_dir_bytes=106))
    assert fits.stdout.decode().splitlines()[-1].startswith("dir:/data read=s3cret write=denied")


def grows_then_ends(grow_pages: int, end: str) -> Program:
    """Grows its memory by `grow_pages` 64 KiB pages (as far as the cap lets it), then ends: `unreachable`
    (an abort, as Rust's allocation-failure handler ends) or proc_exit(4) (CPython's uncaught MemoryError)."""
    wat = f"""(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (memory.grow (i32.const {grow_pages})))
        {"(call $exit (i32.const 4))" if end == "exit" else ""} (unreachable)))"""
    return Program("grows-then-ends", wasmtime.Module(engine(), wat), ("grows",), "script")


@pytest.mark.parametrize("end, ended_otherwise", [("abort", "trap"), ("exit", "error")])
@pytest.mark.parametrize("grow_pages, at_cap", [(63, True), (59, True), (40, False), (0, False)])
def test_an_end_with_the_memory_at_the_cap_is_the_memory_limit(grow_pages, at_cap, end, ended_otherwise):
    """Issue 27: RustPython aborts when an allocation fails ("memory allocation of N bytes failed", then a
    wasm `unreachable`), CPython ends an uncaught MemoryError with exit code 4: the runner reported a trap
    and an error. The host measures the guest's memory: within 1/16 of the cap, the guest ran out; below
    it an exit code proves nothing (any code can os._exit(4)). Fails if either side of that line moves."""
    result = run_program(grows_then_ends(grow_pages, end), b"", limits=Limits(memory_bytes=64 * 65536))
    assert result.outcome == ("memory_limit" if at_cap else ended_otherwise), result.reason
    assert result.memory_bytes == (1 + grow_pages) * 65536
    assert ("unreachable" if end == "abort" else "exited with code 4") in result.reason
