"""The sandbox contract of wasmimage.runtime.runner, tested against the real QuickJS image.

Each test is written so that it fails if the limit or isolation it is about is removed:
a deadline that never fires makes `bounded` give up, a missing memory cap lets the
allocation loop get far past the cap, a missing output cap keeps more than the cap, and
so on. QuickJS has no file or environment API by design, so the runner's own isolation
(preopened directories, environment, arguments) is observed with a tiny WASI program,
tests/fixtures/wasi-probe.wat, and end to end with the rust-hello image (slow: it builds it).
"""

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers.project import ROOT, built_image
from unit.test_runner import MARGIN, bounded  # the unit half's helpers
from wasmimage.runtime.guest_threads import GUEST_STACK_BYTES
from wasmimage.runtime.image import open_image
from wasmimage.runtime.protocol import call
from wasmimage.runtime.runner import Limits, load_program, run, run_program


@pytest.fixture(scope="session")
def image(quickjs_image):
    return open_image(quickjs_image)


@pytest.fixture(scope="session", params=["snapshot", "command"])
def program(image, request):
    """Every sandbox test holds on both of the image's paths: its snapshot and its `_start` command."""
    loaded = load_program(image, snapshot=request.param == "snapshot")
    assert loaded.snapshot == (request.param == "snapshot")
    return loaded


def js(program, source, **options):
    return run_program(program, source.encode(), **options)


# Wall-clock deadline


@pytest.mark.parametrize("source", ["for (;;) {}", '/(a+)+$/.test("a".repeat(30) + "!")'],
                         ids=["infinite-loop", "regex-backtracking"])
def test_deadline_stops_a_busy_script(program, source):
    # The outcome is the test; the only clock bounds are loose ones a busy machine still meets:
    # not before the deadline, and well before an unlimited loop would end (never).
    result = bounded(lambda: js(program, source, limits=Limits(timeout=1)), 1 + 10 * MARGIN)
    assert result.outcome == "timeout"
    assert "deadline" in result.reason
    assert result.wall_seconds >= 1 - 0.05, "ended before its deadline"


# Memory


ALLOCATE_64_MIB = "const keep = [];\nfor (let i = 1; i <= 64; i++) { keep.push(new ArrayBuffer(1 << 20)); print(i); }"


def test_allocation_bomb_stops_at_the_memory_cap(program):
    result = js(program, ALLOCATE_64_MIB, limits=Limits(memory_bytes=32 << 20, timeout=5))
    assert result.outcome == "memory_limit", result.reason
    allocated = int(result.stdout.split()[-1])
    assert 16 <= allocated < 32, f"allocated {allocated} MiB under a 32 MiB cap"


def test_memory_cap_is_the_limit_not_the_script(program):
    result = js(program, ALLOCATE_64_MIB, limits=Limits(memory_bytes=128 << 20))
    assert result.outcome == "ok" and result.stdout.split()[-1] == b"64"


# Output and input caps


def test_printing_forever_keeps_exactly_the_cap(program):
    result = bounded(lambda: js(program, 'for (;;) print("0123456789");',
                                limits=Limits(max_stdout_bytes=1000, timeout=5)), 5 + MARGIN)
    assert result.outcome == "output_limit"
    assert result.stdout_truncated and "stdout" in result.reason
    assert result.stdout == (b"0123456789\n" * 100)[:1000]


def test_stderr_has_its_own_cap(program):
    result = js(program, 'for (;;) console.error("e".repeat(99));', limits=Limits(max_stderr_bytes=500, timeout=5))
    assert result.outcome == "output_limit" and result.stderr_truncated
    assert result.stderr == (b"e" * 99 + b"\n") * 5


def test_stdin_over_the_cap_is_refused(program):
    echo = "host.writeStdout(host.readStdin());"
    at_cap = js(program, echo, stdin=b"x" * 1024, limits=Limits(max_stdin_bytes=1024))
    assert at_cap.outcome == "ok" and at_cap.stdout == b"x" * 1024
    over = js(program, echo, stdin=b"x" * 1025, limits=Limits(max_stdin_bytes=1024))
    assert over.outcome == "error" and over.exit_code is None
    assert "stdin" in over.reason and over.stdout == b""


# Isolation


def test_globals_do_not_survive_a_call(program):
    first = js(program, 'globalThis.leak = 42; Object.prototype.polluted = 1; print(typeof leak, ({}).polluted);')
    assert first.stdout == b"number 1\n"
    second = js(program, "print(typeof leak, ({}).polluted);")
    assert second.stdout == b"undefined undefined\n"


def test_script_sees_no_host_api(program):
    result = js(program, 'print(typeof require, typeof std, typeof os, typeof host.readFile);'
                         'import("os").catch(e => print(e.name));')
    assert result.stdout == b"undefined undefined undefined undefined\nReferenceError\n"


@pytest.fixture(scope="session")
def rust_hello():
    """The rust-hello image, which can read files and env (a clean build takes about 40 s)."""
    return open_image(built_image("rust-hello"))


@pytest.mark.slow
def test_rust_hello_reads_host_files_only_when_granted(rust_hello):
    script = "read /etc/passwd\nread /etc/hostname\n"
    denied = run(rust_hello, script)
    assert denied.stdout.decode().splitlines() == ["error: Uncategorized"] * 2
    granted = run(rust_hello, script, dirs={"/etc": Path("/etc")})
    assert granted.stdout.decode().startswith(Path("/etc/passwd").read_text())


@pytest.mark.slow
def test_rust_hello_sees_env_only_when_granted(rust_hello):
    assert run(rust_hello, "env HOME\n").stdout == b"<unset>\n"
    assert run(rust_hello, "env HOME\n", env={"HOME": "/nowhere"}).stdout == b"/nowhere\n"


# Threads


def test_concurrent_calls_are_separate(program):
    """4 threads x 10 calls, each with its own stdin and output; a 5th thread times out meanwhile."""
    script = 'const n = Number(host.readStdin()); globalThis.mine = n; print(n, n * n);'

    def worker(thread):
        return [js(program, script, stdin=str(thread * 100 + i).encode()) for i in range(10)]

    results = {}
    threads = [threading.Thread(target=lambda t=t: results.update({t: worker(t)})) for t in range(4)]
    slow = threading.Thread(target=lambda: results.update(slow=js(program, "for (;;) {}", limits=Limits(timeout=1))))
    for thread in [slow, *threads]:
        thread.start()
    for thread in [slow, *threads]:
        thread.join(30)
    for t in range(4):
        for i, result in enumerate(results[t]):
            n = t * 100 + i
            assert (result.outcome, result.stdout) == ("ok", f"{n} {n * n}\n".encode())
    assert results["slow"].outcome == "timeout"


# Native recursion QuickJS's stack check does not see: it uses all of the wasm stack, then traps
EXHAUSTS_THE_STACK = "let a = []; for (let i = 0; i < 1e5; i++) a = [a]; JSON.stringify(a)"


def test_deep_nesting_on_a_small_stack_thread_is_a_trap_not_a_crash(quickjs_image):
    """wasm may use 8 MiB of native stack; a caller's thread may have less (here 512 KiB)."""
    code = f"""
import threading
from wasmimage.runtime.runner import run
threading.stack_size(512 * 1024)
out = []
thread = threading.Thread(target=lambda: out.append(run({str(quickjs_image)!r}, {EXHAUSTS_THE_STACK!r})))
thread.start(); thread.join()
print(out[0].outcome)
"""
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (child.returncode, child.stdout) == (0, "trap\n"), child.stderr


MIB = 1024 * 1024


@pytest.mark.parametrize("soft, hard", [(resource.RLIM_INFINITY, resource.RLIM_INFINITY),
                                        (GUEST_STACK_BYTES, resource.RLIM_INFINITY),
                                        (8 * MIB, resource.RLIM_INFINITY), (1 * MIB, resource.RLIM_INFINITY),
                                        (8 * MIB, 8 * MIB)])
def test_deep_nesting_on_the_main_thread_is_a_trap_not_a_crash(quickjs_image, soft, hard):
    """The main thread runs calls itself when RLIMIT_STACK is big enough, or when the hard limit lets the soft
    one be raised for the call (the default 8 MiB, 1 MiB: the stack grows as far as the limit says when it
    grows), and the limit is as it was after the call; with a hard limit too low for that it hops to the
    pool. Either way the 8 MiB wasm stack must end in a trap, not overflow the native stack (SIGSEGV)."""
    ours = resource.getrlimit(resource.RLIMIT_STACK)[1]  # a child may not be given a higher hard limit
    soft, hard = (value if ours == resource.RLIM_INFINITY else min(value, ours) for value in (soft, hard))
    code = f"""
import resource, threading
from wasmimage.runtime import guest_threads, runner
print(guest_threads.on_guest_thread(lambda: threading.current_thread() is threading.main_thread()))
print(runner.run({str(quickjs_image)!r}, {EXHAUSTS_THE_STACK!r}).outcome)
print(resource.getrlimit(resource.RLIMIT_STACK) == ({soft}, {hard}))
"""
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_STACK, (soft, hard)))
    inline = any(limit == resource.RLIM_INFINITY or limit >= GUEST_STACK_BYTES for limit in (soft, hard))
    assert (child.returncode, child.stdout) == (0, f"{inline}\ntrap\nTrue\n"), child.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_deadline_holds_in_a_forked_child(quickjs_image):
    """A prefork server loads programs, then forks workers: their deadlines must still fire."""
    code = f"""
import os, signal
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import Limits, load_program, run_program
program = load_program(open_image(__import__("pathlib").Path({str(quickjs_image)!r})))
pid = os.fork()
if pid == 0:
    signal.alarm(10)  # a child whose deadline never fires must not outlive the test
    print(run_program(program, b"for (;;) {{}}", limits=Limits(timeout=0.5)).outcome, flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert child.stdout == "timeout\n", child.stderr


# Function-call protocol


def test_call_returns_result_and_logs(image):
    response = call(image, {"function": "function f(a, b) { print('adding', a, b); return {sum: a + b}; }",
                            "name": "f", "args": [2, 3]})
    assert response == {"result": {"sum": 5}, "logs": ["adding 2 3"]}


def test_call_reports_errors_and_limits(image):
    null_x = call(image, {"function": "function f() { null.x; }", "name": "f", "args": []})
    assert null_x["error"]["type"] == "TypeError"
    assert call(image, {"function": "function f( {", "name": "f", "args": []})["error"]["type"] == "SyntaxError"
    assert call(image, {"function": "", "name": "nope", "args": []})["error"]["type"] == "ReferenceError"
    timeout = call(image, {"function": "function f() { for (;;); }", "name": "f", "args": []}, Limits(timeout=0.5))
    assert timeout == {"error": {"type": "Timeout", "message": "wall-clock deadline of 0.5s exceeded"}}
    big = call(image, {"function": "", "name": "f", "args": ["x" * 2000]}, Limits(max_stdin_bytes=1000))
    assert big["error"]["type"] == "InputLimit"


# CLI


def cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "wasmimage", *map(str, args)], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_run_json(quickjs_image, tmp_path):
    (tmp_path / "hi.js").write_text('print("hi ✓");')
    done = cli("run", quickjs_image, tmp_path / "hi.js", "--json")
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert (result["outcome"], result["stdout"], result["exit_code"]) == ("ok", "hi ✓\n", 0)


def test_cli_mirrors_exit_codes(quickjs_image, tmp_path):
    (tmp_path / "exit.js").write_text('print(host.readStdin().trim()); host.exit(7);')
    (tmp_path / "throw.js").write_text('throw new Error("boom");')
    done = cli("run", quickjs_image, tmp_path / "exit.js", stdin="from stdin\n")
    assert (done.returncode, done.stdout) == (7, "from stdin\n")
    assert cli("run", quickjs_image, tmp_path / "exit.js", "--json").returncode == 7
    thrown = cli("run", quickjs_image, tmp_path / "throw.js")
    assert thrown.returncode == 1 and "Uncaught Error: boom" in thrown.stderr


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["plain", "json"])
def test_cli_limit_hit_is_nonzero_with_reason_on_stderr(quickjs_image, tmp_path, json_flag):
    (tmp_path / "loop.js").write_text("for (;;) {}")
    (tmp_path / "bomb.js").write_text("const k = []; for (;;) k.push(new ArrayBuffer(1 << 20));")
    (tmp_path / "spam.js").write_text('for (;;) print("spam");')
    loop = cli("run", quickjs_image, tmp_path / "loop.js", "--timeout", "0.5", *json_flag)
    assert loop.returncode not in (0, 1) and "wasmimage: timeout: wall-clock deadline of 0.5s exceeded" in loop.stderr
    bomb = cli("run", quickjs_image, tmp_path / "bomb.js", "--memory-mb", "16", *json_flag)
    assert bomb.returncode != 0 and "wasmimage: memory_limit:" in bomb.stderr
    spam = cli("run", quickjs_image, tmp_path / "spam.js", "--max-output-bytes", "100", *json_flag)
    assert spam.returncode != 0 and "wasmimage: output_limit:" in spam.stderr
    if json_flag:
        assert json.loads(spam.stdout)["stdout"] == ("spam\n" * 20)[:100]
    else:
        assert spam.stdout == ("spam\n" * 20)[:100]


def test_cli_call(quickjs_image, tmp_path):
    request = {"function": "const f = s => s.split('').reverse().join('')", "name": "f", "args": ["héllo"]}
    (tmp_path / "request.json").write_text(json.dumps(request))
    done = cli("call", quickjs_image, tmp_path / "request.json")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"result": "olléh"})
    failed = cli("call", quickjs_image, stdin=json.dumps({"function": "function f() { throw new RangeError('r') }",
                                                     "name": "f", "args": []}))
    assert (failed.returncode, json.loads(failed.stdout)) == (1, {"error": {"type": "RangeError", "message": "r"}})
    slow = cli("call", quickjs_image, "--timeout", "0.5", stdin=json.dumps({"function": "function f() { for (;;); }",
                                                                      "name": "f", "args": []}))
    assert slow.returncode == 125 and json.loads(slow.stdout)["error"]["type"] == "Timeout"
    assert "wasmimage: Timeout: wall-clock deadline of 0.5s exceeded" in slow.stderr
