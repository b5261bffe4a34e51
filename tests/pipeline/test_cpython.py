"""The cpython image end to end: its stdlib mount, asyncio, what cannot work in WASI, and its
snapshot (every test here runs on both paths: the snapshot calls start from, and the command).

Slow: the image takes minutes to build from source (a build Python first); on a machine
that built it before, built_image() is a doit no-op or an artifact cache hit.
"""

import pytest

from helpers.project import built_image
from helpers.python_images import assert_calls_leave_nothing_behind

from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import Limits, load_program, run_program

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cpython():
    return open_image(built_image("cpython"))


@pytest.fixture(params=["snapshot", "command"])
def path(request):
    return request.param


@pytest.fixture
def python(path):
    def call(image, source, **options):
        return run_program(load_program(image, snapshot=path == "snapshot"), source.encode(), **options)
    return call


def test_calls_start_from_the_snapshot_of_a_booted_interpreter(cpython):
    # Fails if the image lost its snapshot, or if the runner stopped choosing it.
    assert cpython.manifest["snapshot"]["abi"] == 2
    assert sorted(cpython.manifest["snapshot"]["preloaded"]) == sorted([cpython.sha256("executor"),
                                                                      cpython.sha256("wikifunctions")])
    assert load_program(cpython).snapshot
    assert cpython.manifest["snapshot"]["conformance"]["failed"] == 0


def test_no_state_leaks_from_one_call_into_the_next(cpython, path):
    assert_calls_leave_nothing_behind(cpython, load_program(cpython, snapshot=path == "snapshot"))


def test_each_call_gets_its_own_arguments_environment_directories_and_randomness(cpython, python, tmp_path):
    # The snapshot booted with none of these: fails if a call sees the build's (empty) ones, or the last call's.
    (tmp_path / "granted.txt").write_text("granted")
    source = """
import os, random, sys
print(sys.argv, os.environ.get("GREETING"), open("/data/granted.txt").read(), input())
print(random.random())
print(globals().get("left_behind"))
left_behind = True
"""
    results = [python(cpython, source, args=("one", "two"), env={"GREETING": "hello"}, dirs={"/data": tmp_path},
                      stdin=b"from stdin\n") for _ in range(2)]
    lines = [result.stdout.decode().splitlines() for result in results]
    assert all(result.outcome == "ok" for result in results), results[0].stderr.decode()
    assert lines[0][0] == "['/script/main.py', 'one', 'two'] hello granted from stdin"
    assert lines[0][1] != lines[1][1], "random must be reseeded per call"
    assert lines[0][2] == lines[1][2] == "None"


def test_exit_codes_tracebacks_and_atexit_as_in_the_command(cpython, python):
    failed = python(cpython, "import atexit\natexit.register(print, 'at exit')\nprint('before')\n\n1/0\n")
    assert (failed.outcome, failed.exit_code) == ("error", 1)
    assert failed.stdout == b"before\nat exit\n"
    assert '  File "/script/main.py", line 5, in <module>\n    1/0\n' in failed.stderr.decode()
    assert failed.stderr.endswith(b"ZeroDivisionError: division by zero\n")
    exited = python(cpython, "import sys\nprint('out')\nsys.exit(7)")
    assert (exited.exit_code, exited.stdout) == (7, b"out\n")
    syntax = python(cpython, "x = (")
    assert syntax.exit_code == 1 and b"SyntaxError: '(' was never closed" in syntax.stderr


def test_manifest_pins_the_tarball_zlib_and_the_build_toolchain(cpython):
    manifest = cpython.manifest
    python_pin, zlib_pin = manifest["sources"]
    assert python_pin["url"].endswith("/Python-3.13.5.tar.xz")
    assert python_pin["debian-source"]["package"] == "python3.13"
    assert zlib_pin["debian-source"]["package"] == "zlib"
    assert {"gcc-12", "make", "llvm-19", "clang-19"} <= set(manifest["toolchain"]["packages"])
    assert manifest["run"]["mounts"]["/usr/local/lib"] == ["python313.zip"]
    assert "python313.zip" in manifest["files"]
    assert any("compileall" in command for command in manifest["build"]["commands"])


def test_the_guest_sees_its_stdlib_read_only_and_nothing_else(cpython, python):
    result = python(cpython, """
import os, sys, zlib
print(sys.version.split()[0], sys.prefix)
print(os.listdir("/usr/local/lib"))
for path in ("/", "/etc/passwd", "/usr/local"):
    try:
        os.listdir(path) if path != "/etc/passwd" else open(path).read()
        print(path, "visible")
    except OSError as exc:
        print(path, type(exc).__name__)
try:
    open("/usr/local/lib/python313.zip", "ab")
except OSError as exc:
    print("write", type(exc).__name__)
print(zlib.decompress(zlib.compress(b"deflate works")).decode())
""")
    assert result.outcome == "ok", result.stderr.decode()
    assert result.stdout.decode().splitlines() == [
        "3.13.5 /usr/local", "['python313.zip']", "/ PermissionError", "/etc/passwd PermissionError",
        "/usr/local PermissionError", "write PermissionError", "deflate works"]
    assert result.stderr == b"", "getpath finds its prefix without warnings"


def test_asyncio_runs_without_a_self_pipe(cpython, python):
    result = python(cpython, """
import asyncio

async def double(x):
    await asyncio.sleep(0.01)
    return 2 * x

async def ticks():
    for i in range(3):
        await asyncio.sleep(0)
        yield i

async def main():
    print(await asyncio.gather(double(1), double(2)))
    try:
        async with asyncio.timeout(0.05):
            await asyncio.sleep(30)
    except TimeoutError:
        print("timeout")
    print(await asyncio.wait_for(double(5), 1))
    print([i async for i in ticks()])
    print(type(asyncio.get_running_loop()).__name__)

asyncio.run(main())
""", limits=Limits(timeout=5))
    assert result.outcome == "ok", result.stderr.decode()
    assert result.stdout.decode() == "[2, 4]\ntimeout\n10\n[0, 1, 2]\nWasiSelectorEventLoop\n"


@pytest.mark.parametrize("source, error", [
    ("import ctypes", "ModuleNotFoundError: No module named '_ctypes'"),
    ("import subprocess; subprocess.run(['ls'])", "OSError"),
    ("import socket; socket.socket().connect(('127.0.0.1', 80))", "OSError"),
    ("import threading; threading.Thread(target=print).start()", "RuntimeError: can't start new thread"),
    ("import os; os.fork()", "AttributeError"),
    ("import multiprocessing; multiprocessing.Pool(2)", "AttributeError"),
], ids=["ctypes", "subprocess", "socket", "threads", "fork", "multiprocessing"])
def test_what_cannot_work_fails_with_a_python_error(cpython, python, source, error):
    result = python(cpython, source)
    assert (result.outcome, result.exit_code) == ("error", 1), result.reason
    assert error in result.stderr.decode()
    assert python(cpython, 'print("still fine")').stdout == b"still fine\n"


def test_deep_recursion_within_the_limit_and_past_it(cpython, python):
    deep = python(cpython, "import sys\nsys.setrecursionlimit(60000)\n"
                           "def f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(50000))")
    assert (deep.outcome, deep.stdout) == ("ok", b"50000\n"), deep.stderr.decode()[-500:]
    endless = python(cpython, "def f(): f()\nf()")
    assert endless.outcome == "error" and b"RecursionError" in endless.stderr
