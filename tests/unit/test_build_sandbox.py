"""Build commands cannot reach the builder's secrets (issue 24, item 11; wasmimage/pipeline/sandbox.py).

A recipe's commands stand for third-party build code (an upstream configure, a build.rs): here
they try to read the cache key, the native store, a signing key and the rest of $HOME, dump
their environment and every process's, and connect to a server on the host's loopback. The same
recipe built unsandboxed shows that each probe works (it finds every secret), so a probe that
finds nothing in the sandbox is the sandbox's doing. No image and no doit: build.build() directly.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from wasmimage.errors import Unavailable
from wasmimage.pipeline import sandbox
from wasmimage.pipeline.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[2]
CACHE_KEY = "cache-key-0123456789abcdef"
SIGNING_KEY = "-----BEGIN OPENSSH PRIVATE KEY----- not really"
ENV_SECRET = "env-secret-fedcba9876543210"  # WASMIMAGE_CACHE_KEY in the builder's own environment
NATIVE_RECORD = "f" * 64  # a .cwasm digest the native store trusts


@pytest.fixture
def builder_home(tmp_path: Path) -> Path:
    """A builder's HOME with the secrets where wasmimage keeps them."""
    home = tmp_path / "home"
    (home / ".config" / "wasmimage").mkdir(parents=True)
    (home / ".config" / "wasmimage" / "cache.key").write_text(CACHE_KEY)
    (home / ".cache" / "wasmimage" / "native" / "trusted").mkdir(parents=True)
    (home / ".cache" / "wasmimage" / "native" / "trusted" / NATIVE_RECORD).touch()
    (home / ".ssh").mkdir()
    (home / ".ssh" / "wasmimage-signing").write_text(SIGNING_KEY)
    return home


@pytest.fixture
def listener() -> int:
    """A listening socket on the host's 127.0.0.1 (the kernel completes connections to it); returns its port."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def probe_recipe(tmp_path: Path, home: Path, port: int) -> None:
    """A recipe whose one command looks for the secrets and writes what it found into out/."""
    command = (f"cat {home}/.config/wasmimage/cache.key {home}/.ssh/wasmimage-signing > out/files.txt 2>&1 || true; "
               f"ls -a {home} {home}/.cache/wasmimage/native/trusted > out/home.txt 2>&1 || true; "
               f"env > out/env.txt; cat /proc/[0-9]*/environ > out/procs.txt 2>&1 || true; "
               f"(echo hi > /dev/tcp/127.0.0.1/{port} && echo connected || echo refused) > out/net.txt 2>&1; "
               f"touch out/probe.wasm")
    (tmp_path / "recipes").mkdir(parents=True)
    recipe = tmp_path / "recipes" / "probe.yaml"
    recipe.write_text(f"name: probe\nversion: '1.0'\nrevision: 1\nlanguage: javascript\nsources: []\n"
                      f"toolchain: wasi-sdk\nbuild:\n  commands:\n    - {command!r}\noutput: probe.wasm\n"
                      f"run:\n  argv: [probe, '{{script}}']\n  script_name: main.js\n  canary: print(1)\n"
                      f"conformance: [javascript]\n")
    load_recipe(recipe, ROOT / "toolchains", ROOT / "conformance")  # a valid recipe


def run_probe(tmp_path: Path, home: Path, port: int, sandboxed: bool) -> str:
    """Build the probe recipe in a builder process whose HOME is `home` and whose environment holds the
    cache key (as a CI job's does); returns what the command found."""
    where = tmp_path / ("in" if sandboxed else "out")
    probe_recipe(where, home, port)
    work = where / "build"
    code = ("from pathlib import Path; from wasmimage.pipeline.build import build; "
            "from wasmimage.pipeline.fetch import FetchSettings; from wasmimage.pipeline.recipe import load_recipe; "
            "from wasmimage.pipeline.toolchain import ResolvedToolchain; "
            f"recipe = load_recipe(Path({str(where / 'recipes' / 'probe.yaml')!r}), "
            f"Path({str(ROOT / 'toolchains')!r}), "
            f"Path({str(ROOT / 'conformance')!r})); "
            "toolchain = ResolvedToolchain('wasi-sdk', 'debian', {}, {'cc': '/usr/bin/false'}); "
            f"build(recipe, toolchain, FetchSettings(Path({str(where / 'sources')!r})), Path({str(work)!r}), "
            f"Path({str(where / 'probe.wasm')!r}), Path({str(where / 'info.json')!r}), source_date_epoch='0', "
            f"sandboxed={sandboxed})")
    env = {**os.environ, "HOME": str(home), "WASMIMAGE_CACHE_KEY": ENV_SECRET, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    return "\n".join(f"== {p.name}\n{p.read_text(errors='replace')}" for p in sorted((work / "out").glob("*.txt")))


def test_build_commands_cannot_read_the_builders_secrets(tmp_path: Path, builder_home: Path, listener: int) -> None:
    """Fails if a build command can read the cache key (file or environment), the native store, a signing key,
    anything in $HOME, another process's environment, or reach the host's network."""
    outside = run_probe(tmp_path, builder_home, listener, sandboxed=False)
    for secret in (CACHE_KEY, SIGNING_KEY, NATIVE_RECORD, ENV_SECRET, "connected"):
        assert secret in outside, f"the probe is broken: unsandboxed, it does not find {secret!r}"
    inside = run_probe(tmp_path, builder_home, listener, sandboxed=True)
    for secret in (CACHE_KEY, SIGNING_KEY, NATIVE_RECORD, ENV_SECRET, "connected"):
        assert secret not in inside, inside
    assert f"ls: cannot access '{builder_home}': No such file or directory" in inside  # not there at all


def test_a_build_command_gets_exactly_the_environment_build_gives_it(tmp_path: Path, builder_home: Path,
                                                                     listener: int) -> None:
    """The environment dump holds command_env()'s variables and nothing else (bash adds PWD, SHLVL, _ itself)."""
    inside = run_probe(tmp_path, builder_home, listener, sandboxed=True)
    dumped = inside.split("== env.txt\n")[1].split("\n== ")[0].splitlines()
    names = sorted({line.split("=", 1)[0] for line in dumped})
    assert names == ["HOME", "LC_ALL", "PATH", "PWD", "SHLVL", "SOURCE_DATE_EPOCH", "TZ", "_"]
    assert f"HOME={tmp_path / 'in' / 'build'}" in dumped


def test_a_build_writes_only_its_build_directory(tmp_path: Path) -> None:
    """The rest of the machine is read-only or not there: fails if a command can write outside its directory."""
    work = tmp_path / "work"
    work.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    script = f"touch {outside}/x /usr/x 2>/dev/null; touch inside; ls {outside} /usr/x 2>&1 | wc -l"
    done = subprocess.run(sandbox.wrap(["bash", "-c", script], work), env={"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True)
    assert (work / "inside").exists() and not (outside / "x").exists() and not Path("/usr/x").exists(), done


def test_without_bwrap_the_build_stops_and_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails closed: no sandbox, no build (the message names the package and the way out)."""
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "no-bwrap-here"))
    with pytest.raises(Unavailable, match=r"(?s)no-bwrap-here is not installed.*the Debian package bubblewrap.*"
                                          r"WASMIMAGE_UNSANDBOXED_BUILDS=1"):
        sandbox.check_available(tmp_path)
