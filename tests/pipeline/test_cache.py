"""The artifact cache: build keys, local and registry entries, corruption, concurrency, and CI.

The fast tests (small files, a real registry) are tests/unit/test_cache.py. These run
`doit build:quickjs` in project copies:
the CI scenario (a fresh checkout with an empty local cache, a warm registry cache and no
usable compiler compiles nothing and gets the same bytes), a corrupted local entry, and two
concurrent builds sharing one cache directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.native import cwasm_printing
from helpers.project import QUICKJS_TAG, copy_project, doit
from helpers.registry import Registry, running_registry
from unit.test_cache import STAGES, _clean_env, entries, leftovers, plant, sha256  # noqa: F401  (_clean_env: autouse)
from wasmimage.errors import PipelineError
from wasmimage.pipeline import cache
from wasmimage.pipeline.cache import check_entry
from wasmimage.pipeline.keys import aot_key
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.toolchain import PROVIDER_ENV, resolve

# The quickjs recipe's engine profiles besides the runner's: each has an aot and a verify entry of its own.
ENGINE_STAGES = ("aot.wikifunctions", "aot.wasmtime-48-lts", "verify.wikifunctions", "verify.wasmtime-48-lts")
IMAGE_FILES = ("quickjs.wasm", "quickjs.cwasm", "quickjs-snapshot.wasm", "quickjs-snapshot.cwasm", "image.json",
               "quickjs.wikifunctions.cwasm", "quickjs.wasmtime-48-lts.cwasm",
               "conformance-report.json")


@pytest.mark.slow
def test_planted_entry_is_never_deserialized_by_a_build(tmp_path: Path, source_cache: Path) -> None:
    """The attack end to end: a .cwasm planted under quickjs's real aot key in the artifact cache
    would be restored and then executed by the verify stage. It is refused and rebuilt."""
    project_root = copy_project(tmp_path / "project")
    env = {"WASMIMAGE_CACHE_DIR": str(source_cache), "WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "artifact-cache"),
           cache.KEY_ENV: "this build machine's cache key", "WASMIMAGE_NATIVE_CACHE": str(tmp_path / "native")}
    doit(project_root, "compile:quickjs", env=env)  # a compile hit or build; then the aot key is known
    project = Project(project_root)
    recipe = project.recipe("quickjs")
    out = project.stage_outputs(recipe)
    evil = cwasm_printing(b"PWNED\n")
    plant(tmp_path / "artifact-cache", "aot", aot_key(project, recipe),
          {out.cwasm.name: evil, out.aot_info.name: out.wasm.with_name("build-info.json").read_bytes()}, None)
    result = doit(project_root, "aot:quickjs", env=env)
    assert "is not authenticated" in result.stderr and "[aot] compiled" in result.stderr
    assert out.cwasm.read_bytes() != evil
    # What the aot stage made is what the runner may load (native.py), and only that.
    trusted = [p.name for p in (tmp_path / "native" / "trusted").iterdir()]
    assert trusted == [hashlib.sha256(out.cwasm.read_bytes()).hexdigest()]


def image(project: Path) -> Path:
    return project / "artifacts/images/quickjs" / QUICKJS_TAG


def cache_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("[cache]")]


@pytest.fixture(scope="module")
def ci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("ci-registry")) as running:
        yield running


@pytest.fixture(scope="module")
def cold_build(tmp_path_factory: pytest.TempPathFactory, ci_registry: Registry, source_cache: Path):
    """The first CI run: a cold build that fills a local cache and the registry cache."""
    base = tmp_path_factory.mktemp("cold")
    env = {"WASMIMAGE_CACHE_DIR": str(source_cache), "WASMIMAGE_ARTIFACT_CACHE": str(base / "artifact-cache"),
           cache.REMOTE_ENV: f"{ci_registry.host}/ci"}
    project = copy_project(base / "project")
    started = time.monotonic()
    result = doit(project, "build:quickjs", env=env)
    return project, base / "artifact-cache", result.stderr, time.monotonic() - started


@pytest.mark.slow
def test_ci_fresh_checkout_hits_the_registry_cache_and_compiles_nothing(cold_build, ci_registry: Registry,
                                                                        tmp_path: Path) -> None:
    first, _, cold_log, cold_seconds = cold_build
    for stage in (*STAGES, *ENGINE_STAGES):
        assert any(line.startswith(f"[cache] {stage}:quickjs miss (key ") and line.endswith(", stored, pushed)")
                   for line in cache_lines(cold_log)), cold_log
    assert "[build quickjs] $" in cold_log and "[aot] compiled" in cold_log

    # The next CI job: another directory, an empty local cache and source cache, no network
    # for sources, and no usable compiler (no dpkg-query on PATH: the debian provider cannot
    # resolve, so any compile would fail; the key still comes from the pins).
    second = copy_project(tmp_path / "elsewhere" / "checkout")
    no_tools = tmp_path / "empty-path"
    no_tools.mkdir()
    env = {"WASMIMAGE_CACHE_DIR": str(tmp_path / "empty-sources"),
           "WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "empty-cache"),
           cache.REMOTE_ENV: f"{ci_registry.host}/ci", PROVIDER_ENV: "debian", "PATH": str(no_tools),
           "PIP_NO_INDEX": "1", "WASMIMAGE_MIRRORS": ""}
    started = time.monotonic()
    result = doit(second, "build:quickjs", env=env)
    hit_seconds = time.monotonic() - started
    log = result.stderr
    for stage in (*STAGES, *ENGINE_STAGES):
        assert any(line.startswith(f"[cache] {stage}:quickjs hit (remote, key ") for line in cache_lines(log)), log
    assert "[cache] fetch:quickjs skipped: compile:quickjs is cached (remote)" in log
    assert "[build quickjs] $" not in log and "[aot] compiled" not in log and "[verify quickjs]" not in log
    for name in IMAGE_FILES:
        assert sha256(image(first) / name) == sha256(image(second) / name), name
    print(f"\ncold build {cold_seconds:.1f}s, cache-hit build from a fresh copy {hit_seconds:.1f}s")

    # Proof the compiler really was unusable in that environment.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", str(no_tools))
        with pytest.raises(PipelineError, match="not installed"):
            resolve(Project(second).recipe("quickjs").toolchain, forced="debian")


@pytest.mark.slow
def test_corrupted_local_entry_is_discarded_and_rebuilt(cold_build, tmp_path: Path, source_cache: Path) -> None:
    first, filled, _, _ = cold_build
    local = shutil.copytree(filled, tmp_path / "artifact-cache")
    [entry] = (local / "compile").iterdir()
    wasm = entry / "interpreter.wasm"
    data = bytearray(wasm.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wasm.write_bytes(bytes(data))

    project = copy_project(tmp_path / "project")
    env = {"WASMIMAGE_CACHE_DIR": str(source_cache), "WASMIMAGE_ARTIFACT_CACHE": str(local), cache.REMOTE_ENV: ""}
    log = doit(project, "build:quickjs", env=env).stderr
    assert f"[cache] compile:quickjs: local entry {entry.name[:12]}… is corrupt (interpreter.wasm has sha256" in log
    assert f"[cache] compile:quickjs miss (key {entry.name[:12]}…, stored)" in log
    assert "[build quickjs] $" in log  # rebuilt, not restored
    # The rebuilt .wasm is the same as before, so the later stages hit.
    assert "[cache] aot:quickjs hit (local" in log and "[cache] verify:quickjs hit (local" in log
    check_entry(entry, "compile", entry.name)
    for name in IMAGE_FILES:
        assert sha256(image(first) / name) == sha256(image(project) / name), name


@pytest.mark.slow
def test_concurrent_builds_share_one_local_cache(tmp_path: Path, source_cache: Path) -> None:
    shared = tmp_path / "shared-cache"
    env = {**os.environ, "WASMIMAGE_CACHE_DIR": str(source_cache), "WASMIMAGE_ARTIFACT_CACHE": str(shared),
           cache.REMOTE_ENV: ""}
    projects = [copy_project(tmp_path / name) for name in ("one", "two")]
    runs = [subprocess.Popen([sys.executable, "-m", "doit", "build:quickjs"], cwd=p, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for p in projects]
    logs = [run.communicate(timeout=1800)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n\n".join(logs)
    for stage in (*STAGES, *ENGINE_STAGES):  # one build stored each entry; the other found it, or lost the race
        outcomes = sorted(re.sub(r"key [0-9a-f]{12}…", "key K", line.split(" ", 2)[2])
                          for log in logs for line in cache_lines(log) if line.startswith(f"[cache] {stage}:"))
        assert outcomes in (["hit (local, key K)", "miss (key K, stored)"],
                            ["miss (key K, already stored)", "miss (key K, stored)"]), outcomes
    stored = entries(shared)
    assert sorted(p.parent.name for p in stored) == sorted(STAGES)  # one entry per stage
    for entry in stored:
        check_entry(entry, entry.parent.name, entry.name)
    assert leftovers(shared) == []
    for name in IMAGE_FILES:
        assert sha256(image(projects[0]) / name) == sha256(image(projects[1]) / name), name
