"""guest_threads: the hop of a call to a pool thread with a known stack (no wasm needed here; the
stack's effect on deep guests is tested in tests/pipeline/test_runner.py)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from typing import Any

import pytest

from helpers.project import ROOT
from wasmimage.runtime.guest_threads import GUEST_STACK_BYTES, MAX_GUEST_THREADS, on_guest_thread


def from_another_thread(function: Any, *args: Any) -> dict[str, Any]:
    """on_guest_thread(function, *args) called from a thread that is not the main one: {"value"} or {"error"}."""
    out: dict[str, Any] = {}

    def call() -> None:
        try:
            out["value"] = on_guest_thread(function, *args)
        except BaseException as exc:  # the test's to look at
            out["error"] = exc

    caller = threading.Thread(target=call)
    caller.start()
    caller.join(30)
    return out


def this_thread() -> tuple[str, int | None]:
    return threading.current_thread().name, threading.get_ident()


def test_calls_from_other_threads_run_on_one_reused_guest_thread():
    """Calls one after another take the thread the last one gave back: a pool that started a thread per call,
    or handed calls round its threads, would show more than one ident (and colder caches)."""
    ran_on = {from_another_thread(this_thread)["value"] for _ in range(50)}
    assert len(ran_on) == 1, ran_on
    name, _ = ran_on.pop()
    assert name == "wasmimage-guest"
    assert threading.stack_size() == 0  # the guest stack size was set only around the thread's start


def test_the_functions_exception_reaches_the_caller_and_the_thread_serves_on():
    failure = ValueError("raised on the guest thread")

    def fail() -> None:
        raise failure

    assert from_another_thread(fail)["error"] is failure
    assert from_another_thread(lambda: 42) == {"value": 42}


def test_calls_beyond_the_cap_wait_for_a_free_thread():
    """At most MAX_GUEST_THREADS calls run at once; one more waits until a thread is free, then runs."""
    running, most, lock = 0, 0, threading.Lock()
    all_in, release = threading.Event(), threading.Event()

    def hold() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == MAX_GUEST_THREADS:
                all_in.set()
        release.wait(30)
        with lock:
            running -= 1

    results: list[dict[str, Any]] = []
    callers = [threading.Thread(target=lambda: results.append(from_another_thread(hold)))
               for _ in range(MAX_GUEST_THREADS + 1)]
    for caller in callers:
        caller.start()
    assert all_in.wait(30)
    release_timer = threading.Timer(0.3, release.set)  # the extra call had this long to start, and must not have
    release_timer.start()
    for caller in callers:
        caller.join(30)
    assert most == MAX_GUEST_THREADS
    assert results == [{"value": None}] * (MAX_GUEST_THREADS + 1)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_interpreter_exit_waits_for_a_running_call_and_ends_the_idle_threads():
    """As ThreadPoolExecutor's workers did: the exit lets a running call finish (its caller gets the result) and
    ends the idle guest threads (else joining them at exit would hang the process)."""
    code = """
import threading, time
from wasmimage.runtime.guest_threads import on_guest_thread
threading.Thread(target=lambda: on_guest_thread(int)).start()  # leaves an idle guest thread
started = threading.Event()
def slow():
    started.set()
    time.sleep(0.5)
    return "finished"
threading.Thread(target=lambda: print(on_guest_thread(slow), flush=True)).start()
started.wait(30)
"""
    child = run_python(code)
    assert (child.returncode, child.stdout, child.stderr) == (0, "finished\n", "")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_starts_guest_threads_of_its_own():
    """The parent's guest threads do not exist in a child: handing a call to one would wait for ever."""
    code = """
import os, signal, threading
from wasmimage.runtime.guest_threads import on_guest_thread
def from_a_thread():
    out = []
    caller = threading.Thread(target=lambda: out.append(on_guest_thread(lambda: threading.current_thread().name)))
    caller.start(); caller.join()
    return out[0]
from_a_thread()  # the parent now has an idle guest thread
pid = os.fork()
if pid == 0:
    signal.alarm(20)  # a child that waits for a thread it does not have must not outlive the test
    print(from_a_thread(), flush=True)
    os._exit(0)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    child = run_python(code)
    assert (child.returncode, child.stdout) == (0, "wasmimage-guest\n0\n"), child.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="the main stack grows to a raised limit on Linux")
@pytest.mark.parametrize("hard", [resource.RLIM_INFINITY, 8 * 1024 * 1024], ids=["hard-unlimited", "hard-8MiB"])
def test_a_main_thread_call_raises_the_stack_limit_for_its_own_time_only(hard):
    """Under the default `ulimit -s` (8 MiB) the main thread runs a call itself with the soft limit at
    GUEST_STACK_BYTES while it runs, as it was after; a hard limit below that leaves the hop to the pool."""
    soft = 8 * 1024 * 1024
    ours = resource.getrlimit(resource.RLIMIT_STACK)[1]  # a child may not be given a higher hard limit
    if ours != resource.RLIM_INFINITY:
        hard = min(hard, ours)
    code = """
import resource, threading
from wasmimage.runtime.guest_threads import on_guest_thread
print(on_guest_thread(lambda: (threading.current_thread() is threading.main_thread(),
                               resource.getrlimit(resource.RLIMIT_STACK)[0])))
print(resource.getrlimit(resource.RLIMIT_STACK))
"""
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_STACK, (soft, hard)))
    raised = hard == resource.RLIM_INFINITY or hard >= GUEST_STACK_BYTES
    during = (True, GUEST_STACK_BYTES) if raised else (False, soft)
    assert (child.returncode, child.stdout) == (0, f"{during}\n{(soft, hard)}\n"), child.stderr
