"""Cargo builds: the rust-wasip1 toolchain, crate and cargo-vendor sources, and the RustPython
recipe's fail-fast path.

The builds through doit are tests/pipeline/test_cargo.py.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.flaky_server import Serve
from helpers.project import ROOT
from wasmimage.errors import PipelineError
from wasmimage.pipeline.fetch import FetchSettings, cached_path, fetch, fetch_all, unpack
from wasmimage.pipeline.recipe import Source, load_recipe, load_recipes
from wasmimage.pipeline.toolchain import load_toolchain, resolve
from wasmimage.sources import cargo

STD_CRATES = Path("/usr/lib/rustlib/src/rust/library/vendor")
STD_LOCK = Path("/usr/lib/rustlib/src/rust/library/Cargo.lock")
CFG_IF = STD_CRATES / "cfg-if-1.0.4"
needs_debian_rust = pytest.mark.skipif(not (Path("/usr/bin/cargo").exists() and CFG_IF.is_dir()),
                                       reason="needs Debian's cargo-web and rust-web-src")
RUSTPYTHON_CRATE_SHA256 = "0bcc4a315d320e3c71c42596ccda8040d686b6f042ea3a173e6e43f4c876e630"
GIT = ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test", "-c", "init.defaultBranch=main"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def registry_source() -> str:
    """The default registry's source string, as Cargo.lock files write it (read, not written here)."""
    text = STD_LOCK.read_text()
    return next(line.split('"')[1] for line in text.splitlines() if line.startswith('source = "registry+'))


# --- the toolchain ----------------------------------------------------------------------------

def test_toolchain_file_pins_debian_packages_and_a_rustup_reference():
    toolchain = load_toolchain(ROOT / "toolchains", "rust-wasip1")
    debian, rustup = toolchain.providers
    assert debian.kind == "debian" and all(v[0].isdigit() for v in debian.packages.values())
    assert debian.env == {"RUSTC_BOOTSTRAP": "1", "RUSTC": "/usr/bin/rustc"}
    assert debian.std_crates == str(STD_CRATES)
    assert rustup.kind == "rustup" and rustup.version == "1.95.0" and rustup.targets == ("wasm32-wasip1",)


def fake_rustup(tmp_path: Path, version: str, targets: list[str]) -> Path:
    """A `rustup` that answers `run VERSION rustc ...` for one installed toolchain."""
    sysroot = tmp_path / "toolchains" / f"{version}-x86_64-unknown-linux-gnu"
    for target in targets:
        (sysroot / "lib" / "rustlib" / target / "lib").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "rustup"
    script.write_text(f"""#!/bin/sh
[ "$1" = run ] && [ "$2" = "{version}" ] && [ "$3" = rustc ] ||
  {{ echo "error: toolchain '$2' is not installed" >&2; exit 1; }}
case "$4" in
  --version) echo "rustc {version} (0123456789 2026-01-01)";;
  --print) echo "{sysroot}";;
esac
""")
    script.chmod(0o755)
    return bin_dir


def test_rustup_provider_checks_version_and_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    toolchain = load_toolchain(ROOT / "toolchains", "rust-wasip1")
    monkeypatch.setenv("PATH", f"{fake_rustup(tmp_path, '1.95.0', ['wasm32-wasip1'])}:/usr/bin:/bin")
    resolved = resolve(toolchain, forced="rustup")
    sysroot = tmp_path / "toolchains" / "1.95.0-x86_64-unknown-linux-gnu"
    assert resolved.identity == {"provider": "rustup", "kind": "rustup", "version": "1.95.0",
                                 "rustc": "rustc 1.95.0 (0123456789 2026-01-01)", "targets": ["wasm32-wasip1"]}
    assert resolved.vars["cargo"] == f"{sysroot}/bin/cargo"
    assert resolved.env == {"RUSTC": f"{sysroot}/bin/rustc", "RUSTUP_TOOLCHAIN": "1.95.0"}
    assert resolved.std_crates is None


def test_rustup_provider_explains_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    toolchain = load_toolchain(ROOT / "toolchains", "rust-wasip1")
    monkeypatch.setenv("PATH", f"{fake_rustup(tmp_path, '1.95.0', [])}:/usr/bin:/bin")
    with pytest.raises(PipelineError,
                       match=r"lacks the target\(s\) wasm32-wasip1[\s\S]*"
                             r"rustup toolchain install 1.95.0 --profile minimal --target wasm32-wasip1"):
        resolve(toolchain, forced="rustup")


# --- recipes ----------------------------------------------------------------------------------

def test_recipes_load_and_name_the_vendor_archive():
    recipes = {r.name: r for r in load_recipes(ROOT / "recipes", ROOT / "toolchains", ROOT / "conformance")}
    assert recipes["rust-hello"].sources == ()
    crate, crates = recipes["rustpython"].sources
    assert (crate.kind, crate.filename, crate.subdir) == ("crate", "rustpython-0.6.0.crate", "rustpython-0.6.0")
    assert crate.pin == {"name": "rustpython", "crate": "rustpython==0.6.0", "sha256": RUSTPYTHON_CRATE_SHA256}
    assert crates.kind == "cargo-vendor" and crates.vendors == crate and crates.sha256
    assert crates.filename == f"rustpython-{RUSTPYTHON_CRATE_SHA256}-vendor.tar.gz"


def test_a_cargo_vendor_source_must_follow_the_source_it_serves(tmp_path: Path):
    recipes = tmp_path / "recipes"
    shutil.copytree(ROOT / "recipes", recipes)
    path = recipes / "rustpython.yaml"
    text = path.read_text()
    path.write_text(text.replace("cargo-vendor: rustpython", "cargo-vendor: nothing"))
    with pytest.raises(PipelineError, match=r"sources\[1\]\.cargo-vendor: 'nothing' must name an earlier"):
        load_recipe(path, ROOT / "toolchains", ROOT / "conformance")
    path.write_text(text.replace("    cargo-vendor: rustpython", "    cargo-vendor: rustpython\n    subdir: x"))
    with pytest.raises(PipelineError, match=r"cargo-vendor"):
        load_recipe(path, ROOT / "toolchains", ROOT / "conformance")


# --- crate sources: a published crate, through cargo ---------------------------------------------

def crate_file(name: str, version: str, body: bytes = b"pub fn f() {}\n") -> bytes:
    """A .crate as a registry serves it: a tar.gz with one NAME-VERSION/ directory."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for rel, data in {"Cargo.toml": f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n'
                                        .encode(), "Cargo.lock": b"version = 4\n", "src/lib.rs": body}.items():
            info = tarfile.TarInfo(f"{name}-{version}/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def local_registry(server, tmp_path: Path, crates: dict[tuple[str, str], bytes]) -> Path:
    """A sparse cargo registry on 127.0.0.1 and a CARGO_HOME whose config.toml puts it in crates-io's place."""
    server.route("/index/config.json", Serve(json.dumps({"dl": server.url("/dl/{crate}-{version}.crate")}).encode()))
    for (name, version), data in crates.items():
        entry = {"name": name, "vers": version, "deps": [], "cksum": hashlib.sha256(data).hexdigest(),
                 "features": {}, "yanked": False}
        server.route(f"/index/{name[:2]}/{name[2:4]}/{name}", Serve(json.dumps(entry).encode() + b"\n"))
        server.route(f"/dl/{name}-{version}.crate", Serve(data))
    home = tmp_path / "cargo-home"
    home.mkdir()
    (home / "config.toml").write_text(f'[source.crates-io]\nreplace-with = "local"\n[source.local]\n'
                                      f'registry = "sparse+{server.url("/index/")}"\n[net]\nretry = 0\n')
    return home


def crate_source(data: bytes, name: str = "wasmimage-demo", version: str = "0.1.0") -> Source:
    return Source("demo", "crate", f"{name}=={version}", hashlib.sha256(data).hexdigest(), None,
                  f"{name}-{version}.crate", f"{name}-{version}")


@needs_debian_rust
def test_a_crate_comes_through_cargo_and_the_machine_config_then_from_the_cache(
        tmp_path: Path, flaky_server, monkeypatch: pytest.MonkeyPatch, capfd):
    data = crate_file("wasmimage-demo", "0.1.0")
    monkeypatch.setenv("CARGO_HOME", str(local_registry(flaky_server, tmp_path, {("wasmimage-demo", "0.1.0"): data})))
    monkeypatch.setenv("RUSTC", "/usr/bin/rustc")
    source, settings = crate_source(data), FetchSettings(tmp_path / "cache", vendor_cargo="/usr/bin/cargo")
    path = fetch(source, settings)
    assert path == cached_path(source, settings) and path.read_bytes() == data
    assert "fetched wasmimage-demo-0.1.0.crate from the cargo registry" in capfd.readouterr().err
    assert flaky_server.count("/dl/wasmimage-demo-0.1.0.crate") == 1
    unpack(source, path, tmp_path / "src")  # the crate's NAME-VERSION/ directory is the source's root
    assert (tmp_path / "src" / "Cargo.lock").is_file() and (tmp_path / "src" / "src" / "lib.rs").is_file()
    # A cache hit asks neither cargo nor the registry.
    assert fetch(source, replace(settings, vendor_cargo=str(tmp_path / "no-such-cargo"))).read_bytes() == data
    assert flaky_server.count("/dl/wasmimage-demo-0.1.0.crate") == 1


@needs_debian_rust
def test_a_crate_that_is_not_the_pinned_one_is_refused_and_nothing_is_kept(
        tmp_path: Path, flaky_server, monkeypatch: pytest.MonkeyPatch):
    published = crate_file("wasmimage-demo", "0.1.0")
    monkeypatch.setenv("CARGO_HOME", str(local_registry(flaky_server, tmp_path,
                                                        {("wasmimage-demo", "0.1.0"): published})))
    monkeypatch.setenv("RUSTC", "/usr/bin/rustc")
    pinned = crate_source(crate_file("wasmimage-demo", "0.1.0", b"pub fn other() {}\n"))
    settings = FetchSettings(tmp_path / "cache", vendor_cargo="/usr/bin/cargo")
    with pytest.raises(PipelineError) as raised:
        fetch(pinned, settings)
    message = str(raised.value)
    assert message.startswith("demo: sha256 mismatch for the cargo registry")
    assert f"expected {pinned.sha256}" in message and f"actual   {hashlib.sha256(published).hexdigest()}" in message
    assert not cached_path(pinned, settings).exists()
    assert [p.name for p in (settings.cache_dir / "sha256").iterdir()] == []
    # A version the registry does not have: cargo's own reason, and the way around it.
    with pytest.raises(PipelineError, match=r"demo: cargo could not download wasmimage-demo==9\.9\.9[\s\S]*"
                                            r"put wasmimage-demo-9\.9\.9\.crate in a mirror"):
        fetch(crate_source(published, version="9.9.9"), settings)


def test_a_crate_comes_from_a_mirror_directory_without_cargo(tmp_path: Path):
    data = crate_file("wasmimage-demo", "0.1.0")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "wasmimage-demo-0.1.0.crate").write_bytes(data)
    no_cargo = str(tmp_path / "no-such-cargo")  # cargo is never run
    settings = FetchSettings(tmp_path / "cache", (str(mirror),), vendor_cargo=no_cargo)
    assert fetch(crate_source(data), settings).read_bytes() == data
    (mirror / "wasmimage-demo-0.1.0.crate").write_bytes(crate_file("wasmimage-demo", "0.1.0", b"// changed\n"))
    other = FetchSettings(tmp_path / "other-cache", (str(mirror),), vendor_cargo=no_cargo)
    with pytest.raises(PipelineError, match=rf"cannot run {tmp_path}/no-such-cargo[\s\S]*"
                                            rf"sha256 mismatch for {mirror}/wasmimage-demo-0.1.0\.crate"):
        fetch(crate_source(data), other)


def test_cargo_downloads_get_only_the_environment_they_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 24, item 11: `cargo fetch` (crate sources) and `cargo vendor` got the whole environment, the
    cache key and registry credentials included. A stand-in cargo dumps what it gets: fails if a secret is
    there, or if what cargo needs (its home, config variables, the rustc it names, a proxy) is not."""
    dump = tmp_path / "env.txt"
    fake = tmp_path / "cargo"
    fake.write_text(f"#!/bin/sh\nenv >> {dump}\necho ==== >> {dump}\nexit 1\n")
    fake.chmod(0o755)
    secrets = {"WASMIMAGE_CACHE_KEY": "secret-cache-key", "WASMIMAGE_REGISTRY_PASSWORD": "secret-password",
               "WASMIMAGE_REGISTRY_TOKEN": "secret-token", "AWS_SECRET_ACCESS_KEY": "secret-aws"}
    needed = {"CARGO_HOME": str(tmp_path / "cargo-home"), "CARGO_NET_OFFLINE": "true", "RUSTC": "/usr/bin/rustc",
              "RUSTUP_TOOLCHAIN": "1.95.0", "https_proxy": "http://proxy.invalid:3128"}
    for name, value in {**secrets, **needed}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(PipelineError, match="cargo could not download"):
        fetch(crate_source(b"x"), FetchSettings(tmp_path / "cache", vendor_cargo=str(fake)))
    with pytest.raises(PipelineError, match="`cargo vendor` failed"):
        cargo.cargo_vendor(tmp_path, tmp_path / "vendor", str(fake), {"RUSTC_BOOTSTRAP": "1"})
    fetched, vendored, _ = dump.read_text().split("====\n")
    for seen in (fetched, vendored):
        assert not [value for value in secrets.values() if value in seen], seen
        assert {f"{name}={value}" for name, value in needed.items()} <= set(seen.splitlines()), seen
    assert "RUSTC_BOOTSTRAP=1" in vendored.splitlines()  # the toolchain's own variables


# --- vendor archives --------------------------------------------------------------------------

def vendor_tree(root: Path, name: str, version: str, files: dict[str, bytes], package: str | None) -> Path:
    """One crate directory as `cargo vendor` writes it."""
    crate = root / f"{name}-{version}"
    for rel, data in files.items():
        (crate / rel).parent.mkdir(parents=True, exist_ok=True)
        (crate / rel).write_bytes(data)
    listed = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    (crate / ".cargo-checksum.json").write_text(json.dumps({"files": listed, "package": package}))
    return crate


def small_lock(checksum: str, git_source: str = "git+file:///nowhere/gitdep?tag=v0.2.0") -> list[cargo.LockedPackage]:
    return [cargo.LockedPackage("app", "0.1.0", None, None),
            cargo.LockedPackage("regdep", "1.2.3", "registry+https://registry.invalid/index", checksum),
            cargo.LockedPackage("gitdep", "0.2.0", f"{git_source}#{'ab' * 20}", None)]


def make_vendor(root: Path, checksum: str) -> Path:
    vendor = root / "vendor"
    vendor_tree(vendor, "regdep", "1.2.3", {"Cargo.toml": b'[package]\nname = "regdep"\nversion = "1.2.3"\n',
                                            "src/lib.rs": b"pub fn f() {}\n"}, checksum)
    vendor_tree(vendor, "gitdep", "0.2.0", {"Cargo.toml": b'[package]\nname = "gitdep"\nversion = "0.2.0"\n',
                                            "src/lib.rs": b"pub fn g() {}\n"}, None)
    return vendor


def test_vendor_archives_are_deterministic_and_checked_against_the_lock(tmp_path: Path):
    checksum = "c" * 64
    lock = small_lock(checksum)
    first, second = make_vendor(tmp_path / "a", checksum), make_vendor(tmp_path / "b", checksum)
    os.utime(second / "regdep-1.2.3" / "src" / "lib.rs", (1, 1))  # mtimes and paths do not matter
    digest = cargo.pack(first, tmp_path / "one.tar.gz")
    assert cargo.pack(second, tmp_path / "two.tar.gz") == digest
    assert sha256(tmp_path / "one.tar.gz") == sha256(tmp_path / "two.tar.gz")
    assert cargo.check_archive(tmp_path / "one.tar.gz", lock, digest) == digest
    with tarfile.open(tmp_path / "one.tar.gz") as archive:
        members = archive.getmembers()
    assert {(m.uid, m.gid, m.mtime, m.uname) for m in members} == {(0, 0, 0, "")}
    assert members[0].name == "vendor" and [m.name for m in members] == sorted(m.name for m in members)

    with pytest.raises(PipelineError, match="recipe pins"):
        cargo.check_archive(tmp_path / "one.tar.gz", lock, "0" * 64)
    with pytest.raises(PipelineError, match="regdep 1.2.3: package checksum c+, the Cargo.lock pins d+"):
        cargo.check_archive(tmp_path / "one.tar.gz", small_lock("d" * 64))
    (first / "regdep-1.2.3" / "src" / "lib.rs").write_text("pub fn f() { evil() }\n")
    cargo.pack(first, tmp_path / "tampered.tar.gz")
    with pytest.raises(PipelineError, match=r"regdep-1\.2\.3/src/lib\.rs: sha256 \w+, listed"):
        cargo.check_archive(tmp_path / "tampered.tar.gz", lock)
    shutil.rmtree(first / "gitdep-0.2.0")
    shutil.rmtree(first / "regdep-1.2.3")
    cargo.pack(first, tmp_path / "empty.tar.gz")
    with pytest.raises(PipelineError, match=r"regdep 1\.2\.3: missing[\s\S]*gitdep 0\.2\.0: missing"):
        cargo.check_archive(tmp_path / "empty.tar.gz", lock)


def test_an_archive_cannot_write_outside_vendor(tmp_path: Path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        info = tarfile.TarInfo("vendor/../../etc/x")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(PipelineError, match="outside vendor/"):
        cargo.check_archive(evil, [])


def test_source_config_sends_the_registry_and_git_sources_to_the_vendor_directory(tmp_path: Path):
    lock = small_lock("c" * 64, "git+https://git.invalid/org/gitdep?branch=wasm")
    text = cargo.source_config(lock, tmp_path / "vendor")
    assert 'replace-with = "wasmimage-vendor"' in text
    assert f'directory = "{tmp_path / "vendor"}"' in text
    assert ('[source."git+https://git.invalid/org/gitdep?branch=wasm"]\ngit = "https://git.invalid/org/gitdep"\n'
            'branch = "wasm"\nreplace-with = "wasmimage-vendor"') in text
    two_registries = [*lock, cargo.LockedPackage("other", "1.0.0", "sparse+https://elsewhere.invalid/", "e" * 64)]
    with pytest.raises(PipelineError, match="2 registries"):
        cargo.source_config(two_registries, tmp_path)


def git_repo(path: Path, files: dict[str, str]) -> str:
    """A local git repository holding `files` in one commit; returns the commit."""
    path.mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q", str(path)], check=True)
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    subprocess.run([*GIT, "-C", str(path), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(path), "commit", "-q", "-m", "fixture"], check=True)
    return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


APP_MAIN = """fn main() {
    cfg_if::cfg_if! {
        if #[cfg(target_os = "wasi")] { println!("wasi: {}", gitdep::greeting()); }
        else { println!("native: {}", gitdep::greeting()); }
    }
}
"""


def app_files(with_git_dep: bool) -> dict[str, str]:
    """A cargo project needing cfg-if 1.0.4 from the registry (and a git crate): its Cargo.lock by hand."""
    checksum = json.loads((CFG_IF / ".cargo-checksum.json").read_text())["package"]
    deps = '\ncfg-if = "=1.0.4"\n' + ('gitdep = { git = "file:///nowhere/gitdep", tag = "v0.2.0" }\n'
                                      if with_git_dep else "")
    lock = ('version = 4\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "cfg-if",\n'
            + (' "gitdep",\n' if with_git_dep else "") + ']\n\n'
            f'[[package]]\nname = "cfg-if"\nversion = "1.0.4"\nsource = "{registry_source()}"\n'
            f'checksum = "{checksum}"\n')
    if with_git_dep:
        lock += ('\n[[package]]\nname = "gitdep"\nversion = "0.2.0"\n'
                 f'source = "git+file:///nowhere/gitdep?tag=v0.2.0#{"ab" * 20}"\n')
    return {"Cargo.toml": ('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
                           f'[dependencies]{deps}\n[profile.release]\npanic = "abort"\nstrip = true\n'),
            "Cargo.lock": lock, "src/main.rs": APP_MAIN if with_git_dep else "fn main() {}\n"}


@needs_debian_rust
def test_the_fetch_stage_vendors_with_cargo_when_no_archive_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The network path, made offline: the machine's cargo config sends the registry to std's crates."""
    from wasmimage.pipeline.recipe import Source
    from wasmimage.sources import cargo_vendor

    commit = git_repo(tmp_path / "app", app_files(with_git_dep=False))
    home = tmp_path / "cargo-home"
    home.mkdir()
    (home / "config.toml").write_text(f'[source.crates-io]\nreplace-with = "std"\n[source.std]\n'
                                      f'directory = "{STD_CRATES}"\n')
    monkeypatch.setenv("CARGO_HOME", str(home))
    monkeypatch.setenv("RUSTC", "/usr/bin/rustc")
    app = Source("app", "git", f"file://{tmp_path}/app", None, commit, "app", None)
    sources = (app, cargo_vendor.parse({"name": "crates", "cargo-vendor": "app"}, [app], "test"))
    settings = FetchSettings(tmp_path / "cache", vendor_cargo="/usr/bin/cargo")
    fetch_all("app", sources, settings)
    archive = settings.cache_dir / "cargo-vendor" / f"app-{commit}-vendor.tar.gz"
    with tarfile.open(archive) as tar:
        assert "vendor/cfg-if-1.0.4/src/lib.rs" in tar.getnames()
    again = tmp_path / "again.tar.gz"
    (tmp_path / "checkout").mkdir()
    subprocess.run(["git", "-C", str(tmp_path / "app"), "archive", "HEAD"], stdout=open(tmp_path / "a.tar", "wb"),
                   check=True)
    subprocess.run(["tar", "-xf", str(tmp_path / "a.tar"), "-C", str(tmp_path / "checkout")], check=True)
    result = subprocess.run([sys.executable, "-m", "wasmimage", "vendor-crates", str(tmp_path / "checkout"), str(again),
                             "--cargo", "/usr/bin/cargo"], capture_output=True, text=True, check=True)
    assert cargo.tar_digest(archive) in result.stdout  # the CLI makes the very same archive


# --- the RustPython recipe offline --------------------------------------------------------------


# --- whole pipeline: the rust-hello fixture ---------------------------------------------------------
