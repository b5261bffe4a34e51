"""The QuickJS image's .cwasm for each engine profile, in that engine's own wasmtime (engines.py, prove.py).

Each profile's .cwasm is loaded by the wasmtime CLI of its version (installed once per cache:
tools.py), with fuel metering on, and runs programs to their expected output; the same file is
refused, with wasmtime's own message naming the difference, by an engine of another version
or another configuration. How these could fail: a .cwasm made by another wasmtime than the
profile says, fuel metering left out of the compiled code, a proof that passes a .cwasm its
engine cannot load, or this project's runner deserializing a foreign profile's file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import wasmtime

from helpers.project import ROOT
from wasmimage import files
from wasmimage.errors import PipelineError, Stale, Tampered
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.prove import prove
from wasmimage.runtime import engine, native, program, runner
from wasmimage.runtime.image import open_image
from wasmimage.settings import Settings

PROGRAM = b"let s = 0; for (let i = 1; i <= 1000; i++) s += i * i; print('sum of squares:', s);\n"


@pytest.fixture(scope="module")
def project() -> Project:
    """The checkout as doit sees it: its caches are where the build installed the CLIs."""
    return Project(ROOT, Settings.from_environ())


@pytest.fixture(scope="module")
def engines(quickjs_image: Path, project: Project) -> dict[str, tuple[dict, Path]]:
    """Each profile's image.json entry and its installed CLI."""
    manifest = open_image(quickjs_image).manifest
    return {name: (entry, Path(project.installed_compiler(project.profiles[name]).vars["wasmtime"]))
            for name, entry in manifest["engines"].items()}


def wasmtime_run(cli: Path, cwasm: Path, script_dir: Path, *flags: str,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli), "run", "--allow-precompiled", *flags, "--dir", f"{script_dir}::/script",
                           str(cwasm), "/script/main.js"], capture_output=True,
                          env={"PATH": "/usr/bin:/bin", **(env or {})}, check=False)


@pytest.fixture
def script_dir(tmp_path: Path) -> Path:
    (tmp_path / "main.js").write_bytes(PROGRAM)
    return tmp_path


def test_the_image_carries_the_profiles_its_recipe_asks_for(quickjs_image: Path, project: Project) -> None:
    manifest = open_image(quickjs_image).manifest
    wanted = {p.name for p in project.engine_profiles(project.recipe("quickjs"))}
    assert wanted == {"wikifunctions", "wasmtime-48-lts"} == set(manifest["engines"])
    for name, entry in manifest["engines"].items():
        profile = project.profiles[name]
        assert (entry["wasmtime"], entry["config"]["consume_fuel"]) == (profile.wasmtime, True)
        assert entry["conformance"]["suites"] == ["javascript"] and entry["conformance"]["failed"] == 0
        assert entry["file"] in manifest["files"]


def test_each_profile_cwasm_runs_in_its_own_wasmtime_with_fuel_metering(quickjs_image: Path, engines,
                                                                         script_dir: Path) -> None:
    for name, (entry, cli) in engines.items():
        said = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True).stdout
        assert said.split()[:2] == ["wasmtime", entry["wasmtime"]], (name, said)
        cwasm = quickjs_image / entry["file"]
        done = wasmtime_run(cli, cwasm, script_dir, "-W", "fuel=10000000000", "-W", "max-wasm-stack=2097152")
        assert (done.returncode, done.stdout) == (0, b"sum of squares: 333833500\n"), (name, done.stderr)
        # Metering is compiled in: a budget too small for the program stops it.
        starved = wasmtime_run(cli, cwasm, script_dir, "-W", "fuel=100000")
        assert starved.returncode != 0 and b"all fuel consumed by WebAssembly" in starved.stderr, name


def test_a_profile_cwasm_is_refused_by_another_version_or_configuration(quickjs_image: Path, engines,
                                                                        script_dir: Path) -> None:
    entry47, cli47 = engines["wikifunctions"]
    entry48, cli48 = engines["wasmtime-48-lts"]
    cwasm47, cwasm48 = quickjs_image / entry47["file"], quickjs_image / entry48["file"]
    done = wasmtime_run(cli48, cwasm47, script_dir, "-W", "fuel=10000000000")
    # wasmtime records only the major version (docs/evaluator.md says why 47.0.3 still makes it)
    assert done.returncode != 0 and b"Module was compiled with incompatible version '47'" in done.stderr
    done = wasmtime_run(cli47, cwasm48, script_dir, "-W", "fuel=10000000000")
    assert done.returncode != 0 and b"Module was compiled with incompatible version '48'" in done.stderr
    # The right version, but a Config without fuel metering: what an evaluator's wrong Config sees.
    done = wasmtime_run(cli47, cwasm47, script_dir)
    assert b"Module was compiled with fuel support but it is not enabled for the host" in done.stderr
    # Config::new() reads WASMTIME_BACKTRACE_DETAILS: an evaluator with it set refuses the file (evaluator.md).
    done = wasmtime_run(cli47, cwasm47, script_dir, "-W", "fuel=10000000000", env={"WASMTIME_BACKTRACE_DETAILS": "1"})
    assert b"Module was compiled without WebAssembly backtrace support but it is enabled" in done.stderr
    # This project's runner (wasmtime-py) refuses it by name before wasmtime sees it, and wasmtime too.
    with pytest.raises(Stale, match=r"made by wasmtime 47\.0\.3, this is wasmtime "):
        engine.load(cwasm47, files.sha256_file(cwasm47), entry47)
    with pytest.raises(wasmtime.WasmtimeError, match="Module was compiled with incompatible version '47'"):
        wasmtime.Module.deserialize(engine.engine(), cwasm47.read_bytes())


def test_the_runner_never_deserializes_another_profile_cwasm(quickjs_image: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the runner's own .cwasm (or snapshot) is native code to it; the others are files it checks."""
    image = open_image(quickjs_image)
    foreign = {hashlib.sha256((quickjs_image / e["file"]).read_bytes()).digest()
               for e in image.manifest["engines"].values()}
    seen: list[bytes] = []
    monkeypatch.setattr(program, "_programs", {})  # a fresh load, not one an earlier test kept in this process
    real = wasmtime.Module.deserialize
    monkeypatch.setattr(wasmtime.Module, "deserialize",
                        staticmethod(lambda eng, data: seen.append(hashlib.sha256(data).digest()) or real(eng, data)))
    store = native.NativeStore(tmp_path / "native")
    for role in ("cwasm", "snapshot"):
        native.trust(image.sha256(role), store)
    result = runner.run(image, "print('hi')", store=store)
    assert (result.outcome, result.stdout) == ("ok", b"hi\n")
    assert seen and not foreign & set(seen)


def test_a_changed_profile_cwasm_makes_the_image_refused(quickjs_image: Path, tmp_path: Path) -> None:
    """Another engine's file is covered by image.json's digests (and so by its signature) like any file."""
    copy = tmp_path / "image"
    shutil.copytree(quickjs_image, copy)
    target = copy / open_image(copy).manifest["engines"]["wikifunctions"]["file"]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte of the code changed
    target.write_bytes(bytes(data))
    with pytest.raises(Tampered, match=r"quickjs\.wikifunctions\.cwasm: sha256 .* does not match the manifest's"):
        open_image(copy)


def test_the_proof_fails_naming_the_profile(quickjs_image: Path, project: Project, tmp_path: Path) -> None:
    """A wasm stack smaller than the interpreter needs: deep recursion traps in that engine, and the proof says so.
    And a .cwasm its engine cannot load at all: the proof stops at the canary."""
    recipe = project.recipe("quickjs")
    profile = project.profiles["wikifunctions"]
    small_stack = dataclasses.replace(profile, settings=dataclasses.replace(profile.settings, max_wasm_stack=524288))
    cwasm = quickjs_image / open_image(quickjs_image).manifest["engines"]["wikifunctions"]["file"]
    args = (recipe.run, tmp_path, {}, project.conformance_dir, ("javascript",), tmp_path / "report.json")
    with pytest.raises(PipelineError) as failed:
        prove(small_stack, project.installed_compiler(profile), "quickjs", cwasm, *args)
    message = str(failed.value)
    assert message.startswith("engine profile wikifunctions (wasmtime 47.0.3, ")
    assert "javascript/32_exceptions_caught: outcome trap" in message and "call stack exhausted" in message
    assert files.read_json(tmp_path / "report.json")["summary"]["failed"] >= 1
    other = project.installed_compiler(project.profiles["wasmtime-48-lts"])
    with pytest.raises(PipelineError, match=r"(?s)engine profile wikifunctions .* does not run there: error .*"
                                            r"incompatible version '47'"):
        prove(profile, other, "quickjs", cwasm, *args)
