"""Engine profiles (wasmimage/pipeline/engines.py): what each one makes `wasmtime compile` do, and what a recipe gets.

Bad profiles are in the bad-input corpus (tests/bad_recipes/, cases engine-* and recipe-engine-*);
compiling and proving with the real CLIs is tests/pipeline/test_engines.py. How these could
fail: a published .cwasm that requires the build machine's CPU, a profile whose fuel setting
does not reach the compiler, a recipe's `engines` that moves its compile key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.project import ROOT, copy_project
from wasmimage.pipeline.engines import CLI, RUNNER
from wasmimage.pipeline.keys import compile_key
from wasmimage.pipeline.project import Project
from wasmimage.settings import Settings

# What x86-64-v2 has; anything beyond (AVX, AVX2, BMI, AVX-512, ...) is what a newer build machine has.
X86_64_V2 = {"has_sse3", "has_ssse3", "has_cmpxchg16b", "has_sse41", "has_sse42", "has_popcnt"}


def test_the_shipped_profiles() -> None:
    profiles = Project(ROOT).profiles
    assert [p.name for p in profiles.values() if p.kind == RUNNER] == ["runner"]
    wikifunctions, lts = profiles["wikifunctions"], profiles["wasmtime-48-lts"]
    assert (wikifunctions.kind, wikifunctions.wasmtime, wikifunctions.settings.consume_fuel) == (CLI, "47.0.3", True)
    assert (lts.wasmtime, lts.settings.consume_fuel, lts.settings.epoch_interruption) == ("48.0.8", True, False)
    assert [p.name for p in profiles.values() if p.default] == ["wikifunctions"]


def test_a_published_cwasm_never_asks_cranelift_for_the_host_cpu() -> None:
    """`wasmtime compile` detects the host's CPU features unless given a --target: every CLI profile
    names one, and exactly its baseline's features, none beyond x86-64-v2."""
    for profile in Project(ROOT).profiles.values():
        if profile.kind != CLI:
            continue
        command = profile.compile_command("wasmtime", Path("in.wasm"), Path("out.cwasm"))
        assert command[command.index("--target") + 1] == "x86_64-unknown-linux-gnu"
        requested = {command[i + 1].removeprefix("cranelift-").replace("-", "_")
                     for i, arg in enumerate(command) if arg == "-C" and command[i + 1].startswith("cranelift-")}
        assert requested == set(profile.baseline("x86_64").flags) <= X86_64_V2, profile.name
        assert ("-C", "cache=n") == tuple(command[2:4])  # never the CLI's own cache of compiled modules


def test_settings_become_cli_flags() -> None:
    settings = Project(ROOT).profiles["wikifunctions"].settings
    flags = settings.cli_flags(fuel=123)
    pairs = {flags[i + 1] for i in range(0, len(flags), 2)}
    assert {"fuel=123", "epoch-interruption=n", "max-wasm-stack=2097152", "opt-level=2"} <= pairs
    without_fuel = type(settings)(False, True, 1 << 20, "speed_and_size", {"threads": False, "simd": True})
    pairs = set(without_fuel.cli_flags(fuel=123))
    assert not any(p.startswith("fuel=") for p in pairs)
    assert {"epoch-interruption=y", "opt-level=s", "threads=n", "simd=y"} <= pairs


def test_a_recipe_gets_the_default_profiles_or_the_ones_it_lists(tmp_path: Path) -> None:
    project = Project(ROOT)
    assert [p.name for p in project.engine_profiles(project.recipe("cpython"))] == ["wikifunctions"]
    root = copy_project(tmp_path / "p")
    recipe_file = root / "recipes/cpython.yaml"
    before = compile_key(Project(root), Project(root).recipe("cpython"))
    recipe_file.write_text(recipe_file.read_text() + "\nengines: [wasmtime-48-lts, wikifunctions]\n")
    listed = Project(root)
    assert [p.name for p in listed.engine_profiles(listed.recipe("cpython"))] == ["wasmtime-48-lts", "wikifunctions"]
    # What the aot stage compiles for never changes the .wasm: the compile key stays.
    assert compile_key(listed, listed.recipe("cpython")) == before


def test_a_forced_provider_reaches_a_wasmtime_cli_only_if_it_has_one_of_that_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI forces `debian` for the recipes' toolchains: the CLIs keep their own order. `crate` builds the
    47.0.3 CLI from source (the wheel's cross-check), its builder resolving in its own order."""
    for forced, provider in ((None, "release-wheel"), ("debian", "release-wheel"), ("crate", "crate")):
        project = Project(ROOT, Settings(toolchain_provider=forced))
        assert project.compiler(project.profiles["wikifunctions"]).provider == provider, forced
    # A machine without the builder (no dpkg-query here) keys the 48.0.8 CLI on the builder's pins,
    # so it finds the CLI's cached outputs as a machine with the pinned packages does.
    pins = Project(ROOT, Settings(toolchain_provider="debian")).compiler(Project(ROOT).profiles["wasmtime-48-lts"])
    monkeypatch.setenv("PATH", str(tmp_path))
    bare = Project(ROOT, Settings(toolchain_provider="debian"))
    assert bare.compiler(bare.profiles["wasmtime-48-lts"]).identity == pins.identity
