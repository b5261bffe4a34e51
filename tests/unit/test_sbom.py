"""What an image says about itself: the CycloneDX SBOM, the in-toto/SLSA provenance, the JUnit
conformance file, `inspect`, the referrers a registry shows, and doit's closing summary."""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from helpers.project import ROOT
from wasmimage.pipeline import junit, sbom
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.summary import summary_line
from wasmimage.pipeline.toolchain import ResolvedToolchain

REGISTRY_CHECKSUM = "a" * 64
SYNTHETIC_LOCK = f"""version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["cfg-if", "gitdep"]

[[package]]
name = "cfg-if"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{REGISTRY_CHECKSUM}"

[[package]]
name = "gitdep"
version = "0.2.0"
source = "git+https://example.org/gitdep.git?rev=abc#0123456789012345678901234567890123456789"
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def toolchain(std_crates: str | None = None) -> ResolvedToolchain:
    return ResolvedToolchain("rust-wasip1", "debian", {}, {}, std_crates=std_crates)


def build_tree(root: Path) -> Path:
    """A build tree as the compile stage lays it out: one source with a lock, the recipe's own files."""
    (root / "files" / "rust-hello").mkdir(parents=True)
    shutil.copy(ROOT / "recipes" / "rust-hello" / "Cargo.lock", root / "files" / "rust-hello" / "Cargo.lock")
    (root / "src" / "app" / "vendor" / "other-1.0.0").mkdir(parents=True)
    (root / "src" / "app" / "Cargo.lock").write_text(SYNTHETIC_LOCK)
    # A vendored crate's own lock is not the build's: it must not be read.
    (root / "src" / "app" / "vendor" / "other-1.0.0" / "Cargo.lock").write_text(
        SYNTHETIC_LOCK.replace("cfg-if", "not-this-one"))
    return root


def test_crates_come_from_the_builds_locks_not_from_vendored_ones(tmp_path: Path):
    crates = sbom.locked_crates(build_tree(tmp_path), toolchain())
    assert crates == [
        {"name": "cfg-if", "version": "1.0.0", "source": "registry+https://github.com/rust-lang/crates.io-index",
         "checksum": REGISTRY_CHECKSUM, "lock": "src/app/Cargo.lock"},
        {"name": "gitdep", "version": "0.2.0", "checksum": None, "lock": "src/app/Cargo.lock",
         "source": "git+https://example.org/gitdep.git?rev=abc#0123456789012345678901234567890123456789"},
    ]  # rust-hello's lock pins only its own (path) package; `app` is a workspace member


def test_std_crates_are_the_ones_the_toolchain_ships(tmp_path: Path):
    library = tmp_path / "library"
    (library / "vendor" / "cfg-if-1.0.0").mkdir(parents=True)
    (library / "Cargo.lock").write_text(SYNTHETIC_LOCK)  # gitdep is pinned but not shipped: not listed
    crates = sbom.locked_crates(build_tree(tmp_path / "tree"), toolchain(str(library / "vendor")))
    assert [(c["name"], c["lock"]) for c in crates] == [("cfg-if", "src/app/Cargo.lock"),
                                                        ("gitdep", "src/app/Cargo.lock")]
    (tmp_path / "tree" / "src" / "app" / "Cargo.lock").unlink()
    crates = sbom.locked_crates(tmp_path / "tree", toolchain(str(library / "vendor")))
    assert [(c["name"], c["lock"]) for c in crates] == [("cfg-if", sbom.STD_LOCK)]


def test_debian_std_crates_are_listed_with_their_checksums():
    vendor = Path("/usr/lib/rustlib/src/rust/library/vendor")
    if not vendor.is_dir():
        pytest.skip("rust-web-src is not installed (toolchains/rust-wasip1.yaml's debian provider)")
    crates = sbom.locked_crates(Path("/nonexistent"), toolchain(str(vendor)))
    shipped = {p.name for p in vendor.iterdir()}
    assert crates and all(f"{c['name']}-{c['version']}" in shipped for c in crates)
    assert all(len(c["checksum"]) == 64 for c in crates if c["source"].startswith("registry+"))


def synthetic_build_info(crates: list[dict]) -> dict:
    return {
        "recipe_sha256": "b" * 64, "source_date_epoch": "0",
        "sources": [{"name": "app", "git": "https://example.org/app.git", "commit": "c" * 40},
                    {"name": "crates", "cargo-vendor": "app", "sha256": "d" * 64, "pinned": False},
                    {"name": "zlib", "url": "https://zlib.net/zlib-1.3.1.tar.gz", "sha256": "e" * 64},
                    {"name": "quickjs", "pypi-sdist": "quickjs-ng==0.17.0.2", "sha256": "f" * 64},
                    {"name": "wasi", "crate": "wasi==0.11.0+wasi-snapshot-preview1", "sha256": "9" * 64}],
        "crates": crates,
        "toolchain": {"name": "rust-wasip1", "provider": "debian", "kind": "debian",
                      "packages": {"rustc-web": "1.96.0+dfsg1-1~deb12u2", "lld-22": "1:22.1.8-1~deb12u1"}},
        "wasm": {"sha256": "0" * 64, "size": 1},
    }


def test_sbom_validates_lists_everything_and_is_reproducible(tmp_path: Path):
    recipe = Project(ROOT).recipe("rust-hello")
    crates = sbom.locked_crates(build_tree(tmp_path), toolchain())
    aot_info = {"wasmtime": "50.0.1", "target": "x86_64-linux"}
    text = sbom.document(recipe, synthetic_build_info(crates), aot_info)
    assert text == sbom.document(recipe, synthetic_build_info(crates), aot_info)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert "serialNumber" not in bom and "timestamp" not in bom["metadata"]  # nothing that differs per build
    by_ref = {c["bom-ref"]: c for c in bom["components"]}
    assert by_ref["pkg:cargo/cfg-if@1.0.0"]["hashes"] == [{"alg": "SHA-256", "content": REGISTRY_CHECKSUM}]
    gitdep = next(c for c in bom["components"] if c["name"] == "gitdep")
    assert gitdep["externalReferences"][0]["type"] == "vcs" and "hashes" not in gitdep
    assert by_ref["source:app"]["version"] == "c" * 40
    assert by_ref["source:zlib"]["hashes"][0]["content"] == "e" * 64
    assert by_ref["source:quickjs"]["purl"] == "pkg:pypi/quickjs-ng@0.17.0.2"
    # A crate source is named as the same crate pinned by a Cargo.lock would be (its `+` percent-encoded).
    assert by_ref["source:wasi"]["purl"] == "pkg:cargo/wasi@0.11.0%2Bwasi-snapshot-preview1" == sbom.crate_purl(
        {"name": "wasi", "version": "0.11.0+wasi-snapshot-preview1", "source": "registry+https://example.org/index"})
    assert by_ref["source:wasi"]["version"] == "0.11.0+wasi-snapshot-preview1"
    # A cargo-vendor source is an archive of many crates: no purl of its own; each crate its lock pins is
    # listed (above) with its own.
    assert "purl" not in by_ref["source:crates"]
    assert {p["name"]: p["value"] for p in by_ref["source:crates"]["properties"]}["wasmimage:cargo-vendor-of"] == "app"
    assert by_ref["toolchain:rustc-web"]["version"] == "1.96.0+dfsg1-1~deb12u2"
    assert by_ref["engine:wasmtime"]["version"] == "50.0.1"
    for name in ("rust-hello.yaml", "rust-hello/src/main.rs", "rust-hello/Cargo.lock"):
        assert by_ref[f"file:{name}"]["hashes"][0]["content"] == sha256(ROOT / "recipes" / name)
    assert len(bom["components"]) == 5 + 2 + 2 + 1 + 4  # sources, crates, toolchain, engine, project files


def test_junit_failure_text_is_the_difference():
    report = {"image": "x", "summary": {"passed": 1, "failed": 1, "expected_failures": 1},
              "suites": {"javascript": {"passed": ["a"], "failed": {"b": "stdout differs:\n    expected b'1'\n"
                                                                         "    actual   b'2'"},
                                        "expected_failures": {"c": "Date differs (stdout differs)"}}}}
    root = ET.fromstring(junit.document(report))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert sorted(cases) == ["a", "b", "c"] and root.get("tests") == "3"
    assert cases["b"].find("failure").get("message") == "stdout differs:"
    assert "actual   b'2'" in cases["b"].find("failure").text
    assert cases["c"].find("skipped") is not None and cases["a"].find("*") is None
    assert junit.document(report) == junit.document(report)


def test_summary_lines():
    assert summary_line("a", {"compile": "hit", "aot": "hit", "verify": "hit", "image": "ran"}, None) == \
        "[summary] a: cache hit (compile, aot, verify restored from the artifact cache)"
    assert summary_line("a", {"compile": "miss", "aot": "hit", "verify": "miss"}, None) == \
        "[summary] a: built (compile, verify ran; aot from the artifact cache)"
    assert summary_line("a", {"fetch": "uptodate"}, "failed at fetch: no network") == \
        "[summary] a: failed at fetch: no network"
