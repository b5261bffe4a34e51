"""The RustPython image, built for real from the crate registry (slow: a clean compile takes
tens of minutes on two cores; the checkout's build is shared through `built_image`)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.project import ROOT, SOURCE_CACHE, copy_project, doit
from wasmimage.pipeline.project import Project
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import Limits, load_program, run, run_program

pytestmark = pytest.mark.slow
TAG = Project(ROOT).recipe("rustpython").tag  # the image the rustpython_image fixture builds


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_image_is_verified_and_pins_the_crate_and_its_vendored_crates(rustpython_image: Path):
    manifest = json.loads((rustpython_image / "image.json").read_text())
    report = json.loads((rustpython_image / "conformance-report.json").read_text())
    assert sorted(report["suites"]) == ["hostile/python", "protocol/python", "python", "wikifunctions/python"]
    cases = len(list((ROOT / "conformance" / "python").glob("*.py")))
    suite = report["suites"]["python"]
    assert len(suite["passed"]) + len(suite["expected_failures"]) == cases, "every Python case ran"
    assert manifest["conformance"]["failed"] == 0
    crate, crates = manifest["sources"]
    assert crate["crate"] == "rustpython==0.6.0" and crate["sha256"]
    assert crates["cargo-vendor"] == "rustpython" and crates["pinned"] is True


def test_a_script_runs_like_python(rustpython_image: Path, tmp_path: Path):
    script = tmp_path / "main.py"
    script.write_text("import sys, json\nprint(json.dumps({'sum': sum(range(10))}))\n"
                      "print(sys.stdin.read().upper(), end='')\nsys.exit(3)\n")
    result = subprocess.run([sys.executable, "-m", "wasmimage", "run", str(rustpython_image), str(script)],
                            input=b"piped in\n", capture_output=True, check=False)
    assert (result.returncode, result.stdout) == (3, b'{"sum": 45}\nPIPED IN\n'), result.stderr


def test_the_sandbox_grants_no_file_and_no_environment(rustpython_image: Path):
    result = run(rustpython_image, "import os\n"
                                   "try:\n    open('/etc/passwd')\n"
                                   "except OSError as e:\n    print('denied', type(e).__name__)\n"
                                   "print(dict(os.environ))\n")
    assert result.outcome == "ok", result.stderr
    assert result.stdout.splitlines() == [b"denied OSError", b"{}"]


def test_unbounded_recursion_ends_the_call_not_the_host(rustpython_image: Path):
    """A raised recursion limit lets Python recurse until wasm's stack runs out: a trap, never a host crash."""
    deep = run(rustpython_image, "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)\n",
               limits=Limits(timeout=30))
    assert deep.outcome in ("trap", "error"), (deep.outcome, deep.reason)
    plain = run(rustpython_image,
                "def f():\n    return f()\ntry:\n    f()\nexcept RecursionError:\n    print('caught')\n",
                limits=Limits(timeout=30))
    assert (plain.outcome, plain.stdout) == ("ok", b"caught\n"), plain.stderr
    assert run(rustpython_image, 'print("canary")').stdout == b"canary\n"


def test_version_names_the_release_not_the_checkout(rustpython_image: Path):
    """sys.version carries git facts from the build: they must come from the pinned release, not the
    repository the build tree happens to sit in, nor the clock (fails if a checkout's commit leaks in)."""
    result = run(rustpython_image, "import sys\nprint(sys.version)\n")
    assert result.outcome == "ok", result.stderr
    assert "(heads/rustpython-0.6.0:" in result.stdout.decode() and "1970, 00:00:00)" in result.stdout.decode()


def test_another_directory_builds_identical_bytes(rustpython_image: Path, tmp_path: Path):
    """A second clean compile (its own artifact cache) in another directory gives the same bytes,
    the snapshot's reactor and the snapshot made from it included."""
    project = copy_project(tmp_path / "elsewhere" / "rustpython")
    doit(project, "build:rustpython", env={"WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "artifacts"),
                                           "WASMIMAGE_CACHE_REGISTRY": "",
                                           "WASMIMAGE_CACHE_DIR": str(SOURCE_CACHE)})
    second = project / "artifacts" / "images" / "rustpython" / TAG
    for name in ("rustpython.wasm", "rustpython.cwasm", "rustpython-snapshot.wasm", "rustpython-snapshot.cwasm",
                 "image.json"):
        assert sha256(rustpython_image / name) == sha256(second / name), name


def test_asyncio_runs_on_an_event_loop_without_a_self_pipe(rustpython_image: Path, python):
    """wasi-asyncio.patch: asyncio installs the WASI event loop when imported (fails if asyncio.run
    raises for want of a socketpair or of signal.SIGINT, or if warnings as errors break the import)."""
    result = python(open_image(rustpython_image), "import warnings\nwarnings.simplefilter('error')\nimport asyncio\n"
                                      "async def main():\n    await asyncio.sleep(0.01)\n"
                                      "    return type(asyncio.get_running_loop()).__name__\n"
                                      "print(asyncio.run(main()))\n")
    assert (result.outcome, result.stdout) == ("ok", b"WasiSelectorEventLoop\n"), result.stderr


APPENDS = """
def build(n):
    s, t, seen = "", "\\ud83d", []
    for i in range(n):
        s += ("abc", "\\u00e9", "\\U0001f600", str(i))[i % 4]
        if i % 97 == 0:
            seen.append((len(s), s[i // 2], s[-1], hash(s) == hash("".join(list(s))), s))
        t += "\\ude00" if i % 2 == 0 else "\\ud83d"
    return s, t, seen
s, t, seen = build(2000)
kept = [(n, c, last, same, len(alias) == n) for n, c, last, same, alias in seen]
print(len(s), s[1234], s[-7:], len(t), t[:3].encode("utf-8", "surrogatepass").hex(), kept[-3:],
      all(k[3] and k[4] for k in kept))
print({"".join(("abc", "\\u00e9", "\\U0001f600", str(i))[i % 4] for i in range(2000)): "found"}.get(s))
"""


def test_appending_in_place_gives_what_cpython_gives(rustpython_image: Path, python):
    """in-place-str-append.patch: lengths, indexing (after an index was built), hashes and earlier
    references stay right through ASCII, non-ASCII, astral and surrogate appends (fails on any
    difference from the CPython running this test)."""
    native = subprocess.run([sys.executable, "-c", APPENDS], capture_output=True, check=True).stdout
    result = python(open_image(rustpython_image), APPENDS)
    assert (result.outcome, result.stdout) == ("ok", native), result.stderr


def test_appending_to_a_string_costs_the_piece_not_the_string(rustpython_image: Path):
    """in-place-str-append.patch: `s += piece` in a loop is linear. Fuel counts the work whatever the
    machine's load: 4x the appends cost about 4x the fuel (revision 3 copied and rescanned the string
    on every append: 16.9x)."""
    program = load_program(open_image(rustpython_image), fuel=True)
    source = "def work(n):\n    s = ''\n    for i in range(n):\n        s += 'item' + str(i) + ','\n" \
             "    return len(s)\nprint(work({n}))\n"
    fuel = {}
    for n in (0, 10_000, 40_000):
        result = run_program(program, source.format(n=n).encode())
        assert result.outcome == "ok", result.stderr
        fuel[n] = result.fuel_consumed
    ratio = (fuel[40_000] - fuel[0]) / (fuel[10_000] - fuel[0])
    assert ratio < 8, f"4x the appends cost {ratio:.1f}x the fuel: quadratic"
