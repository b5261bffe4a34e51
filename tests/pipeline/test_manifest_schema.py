"""image.json is checked against wasmimage/schemas/image.schema.json on every open (issue 16 items 4, 10).

Before, the manifest was trusted field by field: `run.script_name = "../../x"` made the host
write the user's script outside its directory, and wrong types ended in tracebacks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import wasmtime

from helpers.project import ROOT
from wasmimage import files
from wasmimage.errors import InvalidInput, PipelineError, Stale
from wasmimage.runtime.engine import AotConfig
from wasmimage.runtime.image import MANIFEST, open_image
from wasmimage.runtime.manifest import check_json, schema
from wasmimage.runtime.runner import load_program, run

MUTATIONS = {  # name: (change to the manifest, field the error must name)
    "script-name-escapes": (lambda m: m["run"].update(script_name="../../x"), "run.script_name: '../../x'"),
    "script-name-absolute": (lambda m: m["run"].update(script_name="/tmp/x"), "run.script_name: '/tmp/x'"),
    "engine-not-an-object": (lambda m: m.update(engine="50.0.1"), "engine: '50.0.1' is not of type 'object'"),
    "engine-field-missing": (lambda m: m["engine"].pop("target"), "engine.target: required field is missing"),
    "argv-empty": (lambda m: m["run"].update(argv=[]), "run.argv:"),
    "argv-not-strings": (lambda m: m["run"].update(argv=["qjs", 1]), "run.argv[1]: 1 is not of type 'string'"),
    "oom-code-string": (lambda m: m["run"].update(out_of_memory_exit_code="4"), "run.out_of_memory_exit_code:"),
    "oom-code-range": (lambda m: m["run"].update(out_of_memory_exit_code=256), "run.out_of_memory_exit_code: 256"),
    "unknown-run-field": (lambda m: m["run"].update(scriptname="x"), "run.scriptname: unknown field"),
    "roles-missing": (lambda m: m.pop("roles"), "roles: required field is missing"),
    "role-not-a-name": (lambda m: m["roles"].update(cwasm=["x"]), "roles.cwasm: ['x'] is not of type 'string'"),
    "file-entry-no-size": (lambda m: next(iter(m["files"].values())).pop("size"), "size: required field"),
    "sha256-uppercase": (lambda m: next(iter(m["files"].values())).update(sha256="A" * 64), "sha256: 'AAAA"),
    "name-not-a-string": (lambda m: m.update(name=7), "name: 7 is not of type 'string'"),
    "revision-bool": (lambda m: m.update(revision=True), "revision: True is not of type 'integer'"),
    "provenance-escapes": (lambda m: m.update(provenance="../../etc/passwd"), "provenance: '../../etc/passwd'"),
    "engine-file-escapes": (lambda m: m["engines"]["wikifunctions"].update(file="../x.cwasm"),
                            "engines.wikifunctions.file: '../x.cwasm'"),
    "engine-profile-name": (lambda m: m["engines"].update({"Bad Name": m["engines"]["wikifunctions"]}),
                            "engines: 'Bad Name' is not valid"),
    "engine-no-compiler": (lambda m: m["engines"]["wikifunctions"].pop("compiler"),
                           "engines.wikifunctions.compiler: required field is missing"),
}


def mutated(manifest: dict, name: str) -> dict:
    data = json.loads(json.dumps(manifest))
    MUTATIONS[name][0](data)
    return data


@pytest.fixture
def image(quickjs_image, tmp_path) -> Path:
    return Path(shutil.copytree(quickjs_image, tmp_path / "image"))


@pytest.fixture(scope="module")
def good_manifest(quickjs_image) -> dict:
    return files.read_json(quickjs_image / MANIFEST)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_bad_manifest_field_is_refused_by_name(image, good_manifest, name):
    (image / MANIFEST).write_text(json.dumps(mutated(good_manifest, name)))
    with pytest.raises(PipelineError) as err:
        open_image(image)
    assert str(err.value).startswith(f"{image / MANIFEST}: invalid image manifest:")
    assert MUTATIONS[name][1] in str(err.value)


def test_an_engine_file_must_be_one_of_the_image_files(image, good_manifest):
    manifest = json.loads(json.dumps(good_manifest))
    manifest["engines"]["wikifunctions"]["file"] = "elsewhere.cwasm"
    (image / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(InvalidInput, match=r"engines\.wikifunctions\.file: 'elsewhere\.cwasm' is not listed in files"):
        open_image(image)


def test_script_name_cannot_make_the_host_write_outside(image, good_manifest, tmp_path):
    (image / MANIFEST).write_text(json.dumps(mutated(good_manifest, "script-name-escapes")))
    with pytest.raises(PipelineError, match="run.script_name"):
        run(image, 'print("hi")')
    escaped = Path(os.environ.get("TMPDIR", "/tmp")) / "x"  # another program may keep a directory there
    assert not (escaped.is_file() and escaped.read_bytes() == b'print("hi")')


@pytest.mark.parametrize("name", sorted(MUTATIONS) + ["unchanged"])
def test_check_json_agrees_with_jsonschema(good_manifest, name, tmp_path):
    """The runner's small checker must reach jsonschema's verdict on every case here."""
    data = good_manifest if name == "unchanged" else mutated(good_manifest, name)
    expected_valid = jsonschema.Draft202012Validator(schema("image")).is_valid(data)
    try:
        check_json(data, tmp_path / MANIFEST, "image")
        valid = True
    except PipelineError:
        valid = False
    assert valid == expected_valid == (name == "unchanged")


# A manifest of the schema's shape, written by hand: the agreement below needs no image.
MINIMAL_MANIFEST = {
    "schema": 1, "name": "tiny", "version": "1.0", "revision": 1, "tag": "1.0-r1", "language": "javascript",
    "pipeline": {}, "sources": [], "toolchain": {}, "build": {}, "conformance": {},
    "engine": {"wasmtime": "50.0.1", "config": {}, "target": "x86_64-linux"},
    "run": {"argv": ["qjs", "{script}"], "script_name": "main.js", "canary": "ok", "mounts": {"/lib": ["lib.zip"]}},
    "roles": {"wasm": "tiny.wasm", "cwasm": "tiny.cwasm"},
    "engines": {"wikifunctions": {
        "file": "tiny.wikifunctions.cwasm", "wasmtime": "47.0.3", "config": {"consume_fuel": True},
        "target": "x86_64-linux", "cpu": {"baseline": "x86-64-v2", "flags": ["has_sse41"]},
        "compiler": {"name": "wasmtime-cli-47", "provider": "release-wheel", "kind": "pypi-wheel", "version": "47.0.3"},
        "conformance": {"suites": ["javascript"], "passed": 1, "failed": 0, "expected_failures": 0}}},
    "files": {name: {"sha256": "0" * 64, "size": 1}
              for name in ("tiny.wasm", "tiny.cwasm", "tiny.wikifunctions.cwasm", "lib.zip")},
}
MORE_BROKEN = {  # beyond MUTATIONS: what tests/test_tampering.py and an edited manifest try
    "schema-2": lambda m: m.update(schema=2),
    "unknown-top-level-field": lambda m: m.update(extra=1),
    "no-files": lambda m: m.update(files={}),
    "file-name-escapes": lambda m: m["files"].update({"../x": {"sha256": "0" * 64, "size": 1}}),
    "mount-over-script": lambda m: m["run"]["mounts"].update({"/script": ["lib.zip"]}),
    "mount-dot-dot": lambda m: m["run"]["mounts"].update({"/lib/../etc": ["lib.zip"]}),
    "snapshot-no-abi": lambda m: m.update(snapshot={"reactor_sha256": "0" * 64, "conformance": {}}),
    "protocol-unknown": lambda m: m.update(protocols={"grpc": "x.js"}),
    "size-negative": lambda m: m["files"]["tiny.wasm"].update(size=-1),
    "engine-passed-negative": lambda m: m["engines"]["wikifunctions"]["conformance"].update(passed=-1),
    "engine-unknown-field": lambda m: m["engines"]["wikifunctions"].update(loader="x"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS) + sorted(MORE_BROKEN) + ["unchanged"])
def test_runtime_check_and_jsonschema_reject_the_same_manifests(name, tmp_path):
    """No image needed: the runtime's stdlib check and jsonschema agree, case by case."""
    data = json.loads(json.dumps(MINIMAL_MANIFEST))
    if name != "unchanged":
        (MUTATIONS[name][0] if name in MUTATIONS else MORE_BROKEN[name])(data)
    expected_valid = jsonschema.Draft202012Validator(schema("image")).is_valid(data)
    try:
        check_json(data, tmp_path / MANIFEST, "image")
        valid = True
    except InvalidInput as exc:
        valid = False
        assert str(exc).startswith(f"{tmp_path / MANIFEST}: invalid image manifest:")
    assert valid == expected_valid == (name == "unchanged")


def test_image_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema("image"))


def test_deeply_nested_manifest_is_a_clear_error(image):
    (image / MANIFEST).write_text('{"schema": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(PipelineError, match="not valid JSON"):
        open_image(image)


@pytest.mark.parametrize("name", ["script-name-escapes", "engine-not-an-object"])
def test_cli_reports_a_bad_manifest_without_a_traceback(image, good_manifest, tmp_path, name):
    (image / MANIFEST).write_text(json.dumps(mutated(good_manifest, name)))
    (tmp_path / "hi.js").write_text('print("hi")')
    done = subprocess.run([sys.executable, "-m", "wasmimage", "run", image, tmp_path / "hi.js"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"wasmimage: error: {image / MANIFEST}: invalid image manifest:" in done.stderr


def test_cwasm_compiled_for_another_engine_config_is_a_clear_error(image, tmp_path):
    """The manifest claims this engine's config but the .cwasm (trusted: made here) was compiled with another one."""
    from wasmimage.runtime import native

    store = native.NativeStore(tmp_path / "native")
    config = AotConfig(epoch_interruption=False)
    other = wasmtime.Module.from_file(wasmtime.Engine(config.engine_config()), str(image / "quickjs.wasm"))
    cwasm = image / "quickjs.cwasm"
    cwasm.write_bytes(other.serialize())
    data = files.read_json(image / MANIFEST)
    data["files"]["quickjs.cwasm"] = {"sha256": files.sha256_file(cwasm), "size": cwasm.stat().st_size}
    (image / MANIFEST).write_text(json.dumps(data))
    native.trust(files.sha256_file(cwasm), store)  # untrusted, it would be compiled from the .wasm instead (native.py)
    with pytest.raises(Stale, match="wasmtime cannot load it for this engine"):
        # the command's .cwasm (the snapshot's is untouched)
        load_program(open_image(image), snapshot=False, store=store)


def test_run_spec_reads_back_what_every_recipe_and_image_records():
    """image.json's `run` is RunSpec.section(): for each real recipe it must equal the recipe's own
    `run:` without executor and protocols, the form images recorded before RunSpec (else image bytes move)."""
    from wasmimage.pipeline.project import Project
    from wasmimage.runtime.run_spec import RunSpec

    recipes = Project(ROOT).recipes
    assert recipes
    for recipe in recipes:
        written = {k: v for k, v in recipe.data["run"].items() if k not in ("executor", "protocols")}
        assert recipe.run.section() == written, recipe.name
        assert RunSpec.from_section(recipe.run.section()) == recipe.run, recipe.name
    assert recipe.run.command_line("/script/x") == tuple(a.replace("{script}", "/script/x") for a in recipe.run.argv)
