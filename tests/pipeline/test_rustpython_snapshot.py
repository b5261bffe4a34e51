"""The rustpython image's snapshot (recipes/rustpython/reactor, docs/snapshot.md): each call gets
its own inputs and does what the command (`rustpython /script/main.py ARGS`) does.
test_python_snapshots.py checks what every Python image's snapshot holds (preloaded executors,
no state left from one call to the next).

Slow: the image's compile takes tens of minutes on two cores; on a machine that built it
before, built_image() is a doit no-op or an artifact cache hit.
"""

import io
import zipfile

import pytest

from helpers.project import built_image
from wasmimage.runtime import protocol, wikifunctions
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import load_program, run_program

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rustpython():
    return open_image(built_image("rustpython"))


@pytest.fixture(scope="module")
def snapshot(rustpython):
    return load_program(rustpython)


@pytest.fixture(scope="module")
def command(rustpython):
    return load_program(rustpython, snapshot=False)


def test_each_call_gets_its_own_arguments_environment_directories_and_randomness(rustpython, python, tmp_path):
    # The snapshot was made with none of these: fails if a call sees the build's (empty) ones, or the last call's.
    (tmp_path / "granted.txt").write_text("granted")
    source = """
import os, random, sys
print(sys.argv, sys.orig_argv, sys.executable, sys.path[0])
print(os.environ.get("GREETING"), os.environb.get(b"GREETING"), os.getenv("GREETING"), os.getcwd())
print(open("/data/granted.txt").read(), input())
print(random.random(), os.urandom(8).hex())
"""
    results = [python(rustpython, source, args=("one", "two"), env={"GREETING": "hello", "PWD": "/data"},
                      dirs={"/data": tmp_path}, stdin=b"from stdin\n") for _ in range(2)]
    assert all(result.outcome == "ok" for result in results), results[0].stderr.decode()
    lines = [result.stdout.decode().splitlines() for result in results]
    assert lines[0][:3] == lines[1][:3] == [
        "['/script/main.py', 'one', 'two'] ['rustpython', '/script/main.py', 'one', 'two'] rustpython /script",
        "hello b'hello' hello /data", "granted from stdin"]
    first, second = (line.split() for line in (lines[0][3], lines[1][3]))
    assert first[0] != second[0], "random must be reseeded per call"
    assert first[1] != second[1]


def test_a_preloaded_executor_starts_each_call_from_the_snapshot(rustpython, snapshot):
    # The executors ran their top level at build time: a request that breaks the executor's own
    # globals must not break the next one (fails if the preloaded namespace outlives a call), and
    # the call executor's random draws must differ (fails if it is not reseeded per call).
    executor = rustpython.file("wikifunctions").read_bytes()
    poison = {"codeString": "import sys\n"
                            "def Z1000(Z1000K1):\n"
                            "    sys.modules['__main__'].__dict__.clear()\n"
                            "    Wikifunctions.Debug = None  # the executor's own class\n"
                            "    return Z1000K1 + '!'",
              "functionName": "Z1000", "functionArguments": {"Z1000K1": "x"}}
    plain = {"codeString": "def Z1000(Z1000K1):\n    Wikifunctions.Debug('seen')\n    return Z1000K1.upper()",
             "functionName": "Z1000", "functionArguments": {"Z1000K1": "x"}}
    assert wikifunctions.call_program(snapshot, executor, poison)["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "x!"}
    answer = wikifunctions.call_program(snapshot, executor, plain)
    assert answer["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "X"} and not wikifunctions.is_failure(answer)
    call_executor = rustpython.file("executor").read_bytes()
    request = {"function": "import random\ndef f():\n    return random.random()", "name": "f", "args": []}
    draws = {protocol.call_program(snapshot, call_executor, request)["result"] for _ in range(3)}
    assert len(draws) == 3, "random must be reseeded per call"


def zip_app(main: str) -> bytes:
    """A zip archive with a __main__.py: `rustpython main.py` runs such a file through runpy."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("__main__.py", main)
    return archive.getvalue()


@pytest.mark.parametrize("source", [
    "import atexit\natexit.register(print, 'at exit')\nprint('before')\n\n1/0\n",
    "import sys\nprint('out', end='')\nsys.stderr.write('err')\nsys.exit(7)",
    "raise SystemExit('a message')",
    "raise SystemExit(None)",
    "raise SystemExit(300)",
    "import os\nprint('lost')\nos._exit(5)",
    "x = (",
    "print(__name__, __file__, __cached__, type(__loader__).__name__)\n"
    "import sys\nprint(sys.flags.optimize, sys.path[0])",
    "class Noisy:\n    def __del__(self):\n        print('collected')\nkept = Noisy()\nprint('end')",
    "import sys\nsys.stdout.write('no newline')",
    "raise KeyboardInterrupt",
    "import sys\nfor s in sys.stdin, sys.stdout, sys.stderr:\n"
    "    print(s.name, s.encoding, s.errors, s.line_buffering, s.isatty(), s.seekable(), s.buffer.raw._blksize)",
    zip_app("import sys\nprint('from the zip', __name__, sys.path[0])"),
], ids=["traceback-atexit", "exit-7", "exit-message", "exit-none", "exit-300", "os-exit", "syntax-error",
        "main-module", "finalizer", "unflushed", "keyboard-interrupt", "streams", "zip-app"])
def test_the_snapshot_does_what_the_command_does(snapshot, command, source):
    # Fails if output, exit codes, tracebacks or the end of the interpreter differ between the paths.
    script = source if isinstance(source, bytes) else source.encode()
    on_snapshot, on_command = (run_program(program, script) for program in (snapshot, command))
    assert (on_snapshot.outcome, on_snapshot.exit_code, on_snapshot.stdout, on_snapshot.stderr) == \
        (on_command.outcome, on_command.exit_code, on_command.stdout, on_command.stderr)
