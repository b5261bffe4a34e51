"""Cargo builds through doit: rust-hello, a cargo-vendor source offline, and the RustPython
recipe's fail-fast path (the sources and toolchain alone: tests/unit/test_cargo.py).

The slow tests build Rust to wasm32-wasip1 with the Debian provider (std is built from
source: about a minute per build on two cores) in throwaway copies of the project.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.project import copy_project, doit
from unit.test_cargo import (  # the unit half's helpers
    CFG_IF,
    RUSTPYTHON_CRATE_SHA256,
    app_files,
    git_repo,
    needs_debian_rust,
    sha256,
    vendor_tree,
)
from wasmimage.sources import cargo


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A cache of our own, no mirrors from the caller, git limited to local repositories."""
    return {"WASMIMAGE_CACHE_DIR": str(tmp_path / "cache"), "WASMIMAGE_MIRRORS": "",
            "GIT_ALLOW_PROTOCOL": "file", **extra}


def test_rustpython_fails_fast_naming_what_is_missing_and_both_remedies(tmp_path: Path):
    """Without the registry (cargo offline, nothing in its cache) and with an empty mirror."""
    project = copy_project(tmp_path / "project")
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    (tmp_path / "cargo-home").mkdir()
    result = doit(project, "build:rustpython", check=False, env=isolated_env(
        tmp_path, WASMIMAGE_MIRRORS=str(empty), CARGO_HOME=str(tmp_path / "cargo-home"), CARGO_NET_OFFLINE="true"))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "rustpython: cargo could not download rustpython==0.6.0" in output
    assert f"mirror {empty}/rustpython-0.6.0.crate: not there" in output
    assert f"{empty}/rustpython-{RUSTPYTHON_CRATE_SHA256}-vendor.tar.gz: not there" in output
    assert "network: build where the locations above are reachable" in output
    assert "python -m wasmimage mirror rustpython DIR" in output and "WASMIMAGE_MIRRORS=DIR" in output
    assert ".  compile:rustpython" not in output  # stopped at fetch: nothing was built
    assert not (project / "artifacts" / "images" / "rustpython").exists()
    assert not (project / "artifacts" / "build" / "rustpython").exists()


@pytest.fixture(scope="module")
def rust_hello(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """rust-hello built by `doit build:rust-hello` in a fresh copy of the project; (image dir, seconds)."""
    tmp = tmp_path_factory.mktemp("rust-hello")
    project = copy_project(tmp / "project")
    started = time.monotonic()
    doit(project, "build:rust-hello", env=isolated_env(tmp))
    return project / "artifacts" / "images" / "rust-hello" / "0.1.0-r1", time.monotonic() - started


@pytest.mark.slow
@needs_debian_rust
def test_rust_hello_goes_through_the_whole_pipeline_and_runs(rust_hello: tuple[Path, float], tmp_path: Path):
    image, seconds = rust_hello
    print(f"\nrust-hello: clean `doit build:rust-hello` took {seconds:.0f}s")
    manifest = json.loads((image / "image.json").read_text())
    assert manifest["sources"] == [] and manifest["language"] == "line"
    assert manifest["toolchain"]["name"] == "rust-wasip1" and manifest["toolchain"]["packages"]["rustc-web"]
    assert manifest["conformance"] == {"passed": 8, "failed": 0, "expected_failures": 0}
    script = tmp_path / "main.line"
    script.write_text("print hello from the image\nstdin\nexit 7\n")
    result = subprocess.run([sys.executable, "-m", "wasmimage", "run", str(image), str(script)],
                            input=b"piped in\n", capture_output=True, check=False)
    assert (result.returncode, result.stdout) == (7, b"hello from the image\npiped in\n"), result.stderr


@pytest.mark.slow
@needs_debian_rust
def test_rust_hello_builds_byte_identical_in_another_directory(rust_hello: tuple[Path, float], tmp_path: Path):
    first, _ = rust_hello
    project = copy_project(tmp_path / "elsewhere" / "second")
    doit(project, "build:rust-hello", env=isolated_env(tmp_path))
    second = project / "artifacts" / "images" / "rust-hello" / "0.1.0-r1"
    for name in ("rust-hello.wasm", "rust-hello.cwasm", "sbom.cdx.json", "image.json"):
        assert sha256(first / name) == sha256(second / name), name


@pytest.mark.slow
@needs_debian_rust
def test_a_cargo_vendor_source_builds_offline_from_a_mirror(tmp_path: Path):
    """Registry and git dependencies, vendored, from a mirror; std's crates merged in; no network."""
    commit = git_repo(tmp_path / "upstream" / "app", app_files(with_git_dep=True))
    mirror = tmp_path / "mirror"
    subprocess.run(["git", "clone", "-q", "--bare", str(tmp_path / "upstream" / "app"), str(mirror / "app.git")],
                   check=True)
    # The vendor archive, as `cargo vendor` would write it: cfg-if as the registry has it, gitdep from git.
    vendor = tmp_path / "vendor-work" / "vendor"
    cfg_if = {str(p.relative_to(CFG_IF)): p.read_bytes() for p in CFG_IF.rglob("*")
              if p.is_file() and not any(part.startswith(".") for part in p.relative_to(CFG_IF).parts)}
    vendor_tree(vendor, "cfg-if", "1.0.4", cfg_if, json.loads((CFG_IF / ".cargo-checksum.json").read_text())["package"])
    vendor_tree(vendor, "gitdep", "0.2.0", {
        "Cargo.toml": b'[package]\nname = "gitdep"\nversion = "0.2.0"\nedition = "2021"\n',
        "src/lib.rs": b'pub fn greeting() -> &\'static str { "from a git dependency" }\n'}, None)
    cargo.pack(vendor, mirror / f"app-{commit}-vendor.tar.gz")

    project = copy_project(tmp_path / "project")
    (project / "recipes" / "app.yaml").write_text(f"""name: app
version: 0.1.0
revision: 1
language: none
sources:
  - name: app
    git: file:///nowhere/app
    commit: {commit}
  - name: crates
    cargo-vendor: app
toolchain: rust-wasip1
build:
  commands:
    - >-
      {{{{ cargo }}}} build {{{{ cargo_flags }}}} --config {{{{ src.crates }}}}/config.toml --release --locked --offline
      --manifest-path {{{{ src.app }}}}/Cargo.toml --target {{{{ target }}}} --target-dir target
    - cp target/{{{{ target }}}}/release/app.wasm {{{{ out }}}}
output: app.wasm
run:
  argv: [app]
  script_name: main.txt
  canary: unused
conformance: [app]
""")
    (project / "conformance" / "app").mkdir()
    (project / "conformance" / "app" / "01_greets.txt").write_text("")
    (project / "conformance" / "app" / "01_greets.out").write_text("wasi: from a git dependency\n")
    result = doit(project, "build:app", env=isolated_env(tmp_path, WASMIMAGE_MIRRORS=str(mirror)))
    assert f"from {mirror}/app.git" in result.stderr and f"app-{commit}-vendor.tar.gz from {mirror}" in result.stderr
    manifest = json.loads((project / "artifacts" / "images" / "app" / "0.1.0-r1" / "image.json").read_text())
    assert manifest["conformance"]["passed"] == 1
    assert manifest["sources"][1] == {"name": "crates", "cargo-vendor": "app", "pinned": False,
                                      "sha256": cargo.tar_digest(mirror / f"app-{commit}-vendor.tar.gz")}
