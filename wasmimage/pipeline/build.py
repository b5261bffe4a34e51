"""Build stage: lay out sources in a fresh directory, run the recipe's commands, keep the .wasm."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import jinja2

from wasmimage import files, log
from wasmimage.errors import InvalidInput, StepFailed
from wasmimage.pipeline import sandbox, sbom
from wasmimage.pipeline.fetch import fetch, recorded_pin, unpack
from wasmimage.pipeline.recipe import Recipe
from wasmimage.pipeline.toolchain import ResolvedToolchain
from wasmimage.sources import url
from wasmimage.sources.base import FetchSettings
from wasmimage.sources.table import kind_of


def template_vars(recipe: Recipe, toolchain: ResolvedToolchain, work_dir: Path) -> dict:
    """What a build command may refer to; every path but build_dir is relative to work_dir."""
    return {
        **toolchain.vars,
        "src": {s.name: f"src/{s.name}" for s in recipe.sources},
        "files": "files",
        "out": f"out/{recipe.output}",
        "flags": " ".join(shlex.quote(f) for f in recipe.flags),
        "build_dir": str(work_dir),
        "jobs": str(os.cpu_count() or 1),
    }


def render_commands(recipe: Recipe, variables: dict) -> list[str]:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return [env.from_string(c).render(**variables) for c in recipe.commands]
    except jinja2.UndefinedError as exc:
        raise InvalidInput(f"{recipe.path}: build.commands: {exc.message}") from None


def command_env(recipe: Recipe, toolchain: ResolvedToolchain, work_dir: Path, source_date_epoch: str) -> dict[str, str]:
    """A small, fixed environment: nothing from the caller's shell leaks into the bytes."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work_dir),
        "LC_ALL": "C",
        "TZ": "UTC",
        "SOURCE_DATE_EPOCH": source_date_epoch,
        **toolchain.env,
        **recipe.build_env,
    }


def provision_toolchain(toolchain: ResolvedToolchain, settings: FetchSettings) -> None:
    """Fetch and unpack an archive provider's release (a no-op for Debian packages)."""
    if toolchain.archive is None:
        return
    root = toolchain_root(settings, toolchain.archive["sha256"])
    if root.is_dir():
        return
    source = url.of_file(toolchain.name, toolchain.archive["url"], toolchain.archive["sha256"])
    root.parent.mkdir(parents=True, exist_ok=True)
    unpack(source, fetch(source, settings), root)


def toolchain_root(settings: FetchSettings, sha256: str) -> Path:
    return settings.cache_dir / "toolchains" / sha256


def prepare(recipe: Recipe, toolchain: ResolvedToolchain, settings: FetchSettings, work_dir: Path) -> None:
    """Recreate work_dir with src/<name> per source and files/<path> per recipe file; each source's kind
    then finishes its src/<name> for the build (a cargo-vendor's: the std crates, cargo's config.toml)."""
    shutil.rmtree(work_dir, ignore_errors=True)
    (work_dir / "src").mkdir(parents=True)
    (work_dir / "out").mkdir()
    for source in recipe.sources:
        unpack(source, fetch(source, settings), work_dir / "src" / source.name)
    for rel in recipe.files:
        target = work_dir / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(recipe.recipe_dir / rel, target)
    for source in recipe.sources:
        kind_of(source).prepare(source, toolchain, work_dir)


def build(recipe: Recipe, toolchain: ResolvedToolchain, settings: FetchSettings, work_dir: Path,
          wasm: Path, info_path: Path, mounted_dir: Path | None = None, reactor: Path | None = None, *,
          source_date_epoch: str, sandboxed: bool = True) -> Path:
    """Run the recipe's build in work_dir and keep the result as `wasm`, described by `info_path`.

    The files the recipe mounts into the guest (run.mounts) are kept in `mounted_dir`; a recipe
    with a `snapshot` section also leaves its reactor build, kept as `reactor`. The commands run
    in the sandbox (sandbox.py) unless `sandboxed` is False ($WASMIMAGE_UNSANDBOXED_BUILDS).
    """
    started = time.monotonic()
    provision_toolchain(toolchain, settings)
    prepare(recipe, toolchain, settings, work_dir)
    variables = template_vars(recipe, toolchain, work_dir)
    commands = render_commands(recipe, variables)
    # What the record shows: no build directory or CPU count, which never change the bytes, so
    # build-info.json is the same on every machine (and a cached build-info.json is true anywhere).
    recorded = render_commands(recipe, {**variables, "build_dir": "$BUILD_DIR", "jobs": "$JOBS"})
    env = command_env(recipe, toolchain, work_dir, source_date_epoch)
    _run_commands(recipe, toolchain, work_dir, commands, env, sandboxed)
    mounted = _keep_outputs(recipe, work_dir, wasm, reactor, mounted_dir)
    info: dict[str, Any] = {
        "recipe": recipe.name,
        "tag": recipe.tag,
        "recipe_sha256": recipe.digest(),
        "sources": [recorded_pin(s, settings) for s in recipe.sources],
        "toolchain": {"name": toolchain.name, **toolchain.identity},
        "crates": sbom.locked_crates(work_dir, toolchain),  # what the image's SBOM lists
        "flags": list(recipe.flags),
        "commands": recorded,
        "source_date_epoch": env["SOURCE_DATE_EPOCH"],
        "wasm": _file_record(wasm),
        **({"mounted": mounted} if mounted else {}),
    }
    if recipe.snapshot_output:
        assert reactor is not None  # _keep_outputs checked it
        info["reactor"] = _file_record(reactor)
    files.write_json(info_path, info)
    _log(recipe.name, f"built {wasm} ({info['wasm']['size']} bytes) in {time.monotonic() - started:.1f}s")
    return wasm


def _run_commands(recipe: Recipe, toolchain: ResolvedToolchain, work_dir: Path, commands: list[str],
                  env: dict[str, str], sandboxed: bool) -> None:
    """Each build command under bash -e -o pipefail in work_dir, sandboxed unless told not to;
    the first that fails fails the build."""
    if sandboxed:
        sandbox.check_available(work_dir)
    else:
        _log(recipe.name, f"{sandbox.UNSANDBOXED_ENV} is set: the build commands run as you, unsandboxed")
    for index, command in enumerate(commands):
        _log(recipe.name, f"$ {command}")
        argv = ["bash", "-e", "-o", "pipefail", "-c", command]
        if sandboxed:
            argv = sandbox.wrap(argv, work_dir, (toolchain.root,))
        result = subprocess.run(argv, cwd=work_dir, env=env, stdin=subprocess.DEVNULL, check=False)
        if result.returncode != 0:
            raise StepFailed(f"{recipe.name}: build.commands[{index}] failed with exit code "
                             f"{result.returncode} (in {work_dir}):\n  {command}")


def _keep_outputs(recipe: Recipe, work_dir: Path, wasm: Path, reactor: Path | None,
                  mounted_dir: Path | None) -> dict[str, dict[str, Any]]:
    """Copies what the commands left in out/ to where the pipeline keeps it (the module as `wasm`,
    a snapshot recipe's reactor as `reactor`, each mounted file into `mounted_dir`), failing if
    one is missing; returns the mounted files' records, by name."""
    kept = {recipe.output: wasm}
    if recipe.snapshot_output:
        if reactor is None:
            raise InvalidInput(f"{recipe.name}: a recipe with a snapshot needs a path for its reactor")
        kept[recipe.snapshot_output] = reactor
    for name, target in kept.items():
        produced = work_dir / "out" / name
        if not produced.is_file():
            raise StepFailed(f"{recipe.name}: the build commands did not produce out/{name}")
        files.copy(produced, target)
    mounted = {}
    for name in recipe.mounted_files:
        if not (work_dir / "out" / name).is_file():
            raise StepFailed(f"{recipe.name}: the build commands did not produce out/{name} (run.mounts)")
        if mounted_dir is None:
            raise InvalidInput(f"{recipe.name}: a recipe with run.mounts needs a directory for its mounted files")
        files.copy(work_dir / "out" / name, mounted_dir / name)
        mounted[name] = _file_record(mounted_dir / name)
    return mounted


def _file_record(path: Path) -> dict[str, Any]:
    """How build-info.json describes a file it keeps."""
    return {"sha256": files.sha256_file(path), "size": path.stat().st_size}


def _log(name: str, message: str) -> None:
    log.get(f"build {name}").info(message)
