"""The stage table through doit (wasmimage/pipeline/tasks.py): each task files its cache entry under the key
its up-to-date check saved, and a second run runs nothing.

Fast: rust-hello without engine profiles, its compile output planted in the artifact cache (an
empty module), so doit restores it and AOT-compiles a few bytes. What doit keeps of each stage's
keys is tests/unit/test_tasks.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.project import copy_project, doit
from unit.test_cache import _clean_env  # noqa: F401  (autouse)
from wasmimage.pipeline import cache
from wasmimage.pipeline.keys import aot_key, compile_key
from wasmimage.pipeline.project import Project
from wasmimage.settings import Settings

EMPTY_MODULE = b"\0asm\x01\x00\x00\x00"


def test_each_task_files_its_entry_under_its_key_and_a_second_run_runs_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project")
    recipe_file = root / "recipes/rust-hello.yaml"
    recipe_file.write_text(recipe_file.read_text() + "engines: []\n")  # the runner's .cwasm only
    env = {"WASMIMAGE_ARTIFACT_CACHE": str(tmp_path / "artifact-cache"), cache.KEY_ENV: "this machine's cache key",
           "WASMIMAGE_NATIVE_CACHE": str(tmp_path / "native")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    project = Project(root, Settings.from_environ())
    recipe = project.recipe("rust-hello")
    out = project.stage_outputs(recipe)
    out.wasm.parent.mkdir(parents=True)
    out.wasm.write_bytes(EMPTY_MODULE)
    out.build_info.write_text("{}\n")
    assert out.compiled(recipe) == [out.wasm, out.build_info]
    cache.store(project.cache.local, "compile", compile_key(project, recipe), out.compiled(recipe),
                project.cache.secret)
    out.wasm.unlink()  # restored by the compile task

    first = doit(root, "aot:rust-hello", env=env)
    key = aot_key(Project(root, Settings.from_environ()), recipe)
    assert f"[cache] compile:rust-hello hit (local, key {compile_key(project, recipe)[:12]}" in first.stderr
    assert f"[cache] aot:rust-hello miss (key {key[:12]}" in first.stderr
    assert (tmp_path / "artifact-cache" / "aot" / key / out.cwasm.name).is_file()
    assert out.wasm.read_bytes() == EMPTY_MODULE

    second = doit(root, "aot:rust-hello", env=env)
    assert "[cache]" not in second.stderr, second.stderr
    assert {"-- fetch:rust-hello", "-- compile:rust-hello", "-- aot:rust-hello"} <= set(second.stdout.splitlines())
