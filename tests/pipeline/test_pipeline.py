"""The doit pipeline end to end: task layout, exact up-to-date checks, reproducible bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from helpers.project import QUICKJS_TAG, ROOT, copy_project, doit

STAGES = ("fetch", "compile", "aot", "snapshot", "verify", "image", "build")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ran(output: str) -> set[str]:
    """Tasks doit executed (`.  name`), as opposed to skipped as up to date (`-- name`)."""
    return {line[3:].strip() for line in output.splitlines() if line.startswith(".  ")}


def test_doit_list_shows_every_stage_per_recipe():
    listing = doit(ROOT, "list", "--all").stdout
    for stage in STAGES:
        assert f"{stage}:quickjs" in listing


def test_image_manifest_records_inputs_outputs_and_proof(quickjs_image: Path):
    manifest = json.loads((quickjs_image / "image.json").read_text())
    assert manifest["sources"][0]["sha256"] == "43d2e48272208721a7aaea8e3f02d4b9318f12ef20cc4f5421b59d9a470706ef"
    assert manifest["toolchain"]["provider"] == "debian"
    assert manifest["toolchain"]["packages"]["clang-19"]
    assert manifest["engine"]["wasmtime"] == "50.0.1"
    assert manifest["engine"]["config"]["epoch_interruption"] is True
    assert manifest["conformance"]["failed"] == 0 and manifest["conformance"]["passed"] >= 30
    for name, entry in manifest["files"].items():
        assert sha256(quickjs_image / name) == entry["sha256"]
    # The provenance sits beside image.json, outside the digest set: it carries the build's times.
    assert sorted(p.name for p in quickjs_image.iterdir()) == sorted([*manifest["files"], "image.json",
                                                                      manifest["provenance"]])


@pytest.mark.slow
def test_two_directories_build_identical_bytes_and_noop_and_flag_edits(tmp_path: Path, source_cache: Path):
    env = {"WASMIMAGE_CACHE_DIR": str(source_cache)}
    first, second = copy_project(tmp_path / "first"), copy_project(tmp_path / "a" / "second")
    for project in (first, second):
        doit(project, "build:quickjs", env=env)
    images = [p / "artifacts/images/quickjs" / QUICKJS_TAG for p in (first, second)]
    for name in ("quickjs.wasm", "quickjs.cwasm", "quickjs-snapshot.wasm", "quickjs-snapshot.cwasm", "sbom.cdx.json",
                 "quickjs.wikifunctions.cwasm", "quickjs.wasmtime-48-lts.cwasm", "image.json"):
        assert sha256(images[0] / name) == sha256(images[1] / name), name

    # Nothing changed: nothing runs.
    assert ran(doit(first, "build:quickjs", env=env).stdout) == set()

    # A changed build flag reruns the build and everything after it.
    recipe = first / "recipes" / "quickjs.yaml"
    recipe.write_text(recipe.read_text().replace("flags: [-O2,", "flags: [-Os,"))
    rerun = ran(doit(first, "build:quickjs", env=env).stdout)
    assert {"compile:quickjs", "aot:quickjs", "snapshot:quickjs", "verify:quickjs", "image:quickjs"} <= rerun
    assert sha256(images[0] / "quickjs.wasm") != sha256(images[1] / "quickjs.wasm")


def test_image_stage_refuses_a_report_that_proved_another_cwasm(quickjs_image: Path, tmp_path: Path):
    from wasmimage.errors import PipelineError
    from wasmimage.pipeline.image import assemble
    from wasmimage.pipeline.project import Project

    project = Project(ROOT)
    recipe = project.recipe("quickjs")
    stages = project.stage_outputs(recipe)
    report = json.loads(stages.report.read_text())
    report["cwasm_sha256"] = "0" * 64
    forged = tmp_path / "conformance-report.json"
    forged.write_text(json.dumps(report))
    with pytest.raises(PipelineError, match="proves another .cwasm"):
        assemble(recipe, dataclasses.replace(stages, report=forged), tmp_path / "image")
    report = json.loads(stages.report.read_text())
    report["snapshot"]["cwasm_sha256"] = "0" * 64
    forged.write_text(json.dumps(report))
    with pytest.raises(PipelineError, match="does not prove .*snapshot.cwasm"):
        assemble(recipe, dataclasses.replace(stages, report=forged), tmp_path / "image")
    assert not (tmp_path / "image").exists()
