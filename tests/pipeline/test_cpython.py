"""The cpython image end to end: its stdlib mount, asyncio, what cannot work in WASI, and its
snapshot (every test here runs on both paths: the snapshot calls start from, and the command).

Slow: the image takes minutes to build from source (a build Python first); on a machine
that built it before, built_image() is a doit no-op or an artifact cache hit.
"""

import dataclasses
import hashlib
from pathlib import Path

import pytest

from helpers.project import ROOT, SOURCE_CACHE, built_image, copy_project, doit
from unit.test_wikifunctions import metadata_of
from wasmimage.pipeline.project import Project
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import Limits

pytestmark = pytest.mark.slow
RECIPE = Project(ROOT).recipe("cpython")


@pytest.fixture(scope="module")
def cpython():
    return open_image(built_image("cpython"))


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
    assert python_pin["url"].endswith(f"/Python-{RECIPE.version}.tar.xz")
    assert python_pin["debian-source"]["file"] == f"python3.13_{RECIPE.version}.orig.tar.xz"
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
        f"{RECIPE.version} /usr/local", "['python313.zip']", "/ PermissionError", "/etc/passwd PermissionError",
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


def test_exit_codes_past_125_are_the_scripts_own(cpython, python):
    """Guards issue 24 item 14 on a real interpreter: sys.exit(200) was reported as a trap (a host outcome)."""
    for code in (126, 200, 255):
        exited = python(cpython, f"import sys\nsys.exit({code})")
        assert (exited.outcome, exited.exit_code) == ("error", code)


def test_a_sleep_across_the_deadline_is_a_timeout(cpython, python):
    """Issue 24 item 9: under load, time.sleep across the deadline could finish `ok` after it. Whatever the
    load, a call that ends after its deadline is a timeout (the deterministic case: tests/unit/test_runner.py)."""
    slept = python(cpython, "import time\ntime.sleep(1)\nprint('woke')", limits=Limits(timeout=0.5))
    assert slept.outcome == "timeout"


WIKI_LIMITS = dataclasses.replace(wikifunctions.LIMITS, memory_bytes=64 << 20)


def test_the_wikifunctions_host_believes_the_python_executor_no_more_than_it_must(cpython):
    """Guards issue 24 items 3 and 4 in the image: a stdout line nested 5,000 deep raised RecursionError out of
    the host, and os._exit(4) from user code was "memory limit of N MiB exceeded". The memory limit is still
    reported when the guest's memory really reached the cap (an allocation bomb)."""
    def wiki_error(source: str) -> str:
        z22 = wikifunctions.call(cpython, {"codeString": source, "functionName": "Z1000"}, WIKI_LIMITS)
        return metadata_of(z22)["errors"]["Z5K2"]

    assert wiki_error("import os\ndef Z1000():\n    os.write(1, b'[' * 5000 + b']' * 5000 + b'\\n')\n"
                      "    os._exit(0)\n").startswith("the executor wrote an invalid response (exited with code 0)")
    assert wiki_error("import os\ndef Z1000():\n    os._exit(4)\n").startswith(
        "the executor reported running out of memory (exit code 4) with ")
    assert wiki_error("def Z1000():\n    a = []\n    while True:\n        a.append(bytearray(1 << 20))\n") == \
        "memory limit of 64 MiB exceeded"


def test_another_directory_builds_identical_bytes(cpython, tmp_path: Path):
    """A second clean build (its own artifact cache) in another directory gives the same bytes: the build
    Python, the stdlib zip and the snapshot must not carry the build directory, a time or the host."""
    project = copy_project(tmp_path / "elsewhere" / "cpython")
    doit(project, "build:cpython", env={"WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "artifacts"),
                                        "WASMIMAGE_CACHE_REGISTRY": "", "WASMIMAGE_CACHE_DIR": str(SOURCE_CACHE)})
    second = project / "artifacts" / "images" / "cpython" / RECIPE.tag
    assert sorted(p.name for p in second.iterdir()) == sorted(p.name for p in cpython.path.iterdir())
    for name in [*cpython.manifest["files"], "image.json"]:
        assert _sha256(cpython.path / name) == _sha256(second / name), name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
