"""doit task definitions: one task per stage and recipe, dependencies carried by file_dep/uptodate.

Each action turns a PipelineError into doit's TaskFailed, so a user sees the message, not a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from wasmimage import cache, log
from wasmimage.digests import sha256_json
from wasmimage.engines import Profile
from wasmimage.errors import PipelineError
from wasmimage.keys import aot_key, compile_key, engine_aot_key, engine_verify_key, snapshot_key, stage_keys, verify_key
from wasmimage.project import Project, StageOutputs
from wasmimage.recipe import Recipe

RUN_STARTED = datetime.now(UTC)  # doit loads dodo.py, and so this module, as its run begins


def _action(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    def run() -> TaskFailed | dict | None:
        try:
            result = function(*args)
        except PipelineError as exc:
            log.get("doit").error(str(exc))
            return TaskFailed(str(exc))
        return {"cache": result} if result in ("hit", "miss") else None  # for the closing summary (summary.py)

    run.__name__ = function.__name__
    return run


def _key_unchanged(compute: Callable[..., str], *args: Any) -> Callable[..., bool]:
    """An uptodate check on a key computed lazily, as compute(*args) (a toolchain problem then fails the
    action, not doit)."""

    def check(task: Any, values: dict) -> bool:
        try:
            key = compute(*args)
        except (PipelineError, OSError):  # e.g. the previous stage's output is missing
            return False
        task.value_savers.append(lambda: {"key": key})
        return values.get("key") == key

    return check


# Stage actions: each reads the previous stage's outputs from disk. Compile, aot and verify
# go through the artifact cache (cache.py): on a hit they restore their outputs and do no work.

def fetch_sources(project: Project, recipe: Recipe) -> None:
    from wasmimage.fetch import fetch_all

    # Sources are only needed to compile: with the compile output cached, fetch nothing (if the
    # entry then proves corrupt, the build fetches what it needs itself).
    try:
        where = cache.has(project.cache, "compile", recipe.name, compile_key(project, recipe))
    except PipelineError:
        where = None
    if where:
        log.get("cache").info(f"fetch:{recipe.name} skipped: compile:{recipe.name} is cached ({where})")
        return
    # All of them, so that one failure names everything missing (and cargo-vendor sources
    # can vendor with the recipe's own cargo).
    fetch_all(recipe.name, recipe.sources, project.fetch_settings, lambda: project.toolchain(recipe))


def compile_recipe(project: Project, recipe: Recipe) -> str:
    from wasmimage.build import build

    out = project.stage_outputs(recipe)
    return cache.run_cached(project.cache, "compile", recipe.name, compile_key(project, recipe),
                            compile_outputs(recipe, out),
                            lambda: build(recipe, project.toolchain(recipe), project.fetch_settings,
                                          project.work_dir / recipe.name, out.wasm, out.build_info, out.mounted_dir,
                                          out.reactor, source_date_epoch=project.settings.source_date_epoch,
                                          sandboxed=not project.settings.unsandboxed_builds))


def compile_outputs(recipe: Recipe, out: StageOutputs) -> list[Path]:
    return [out.wasm, out.build_info, *out.mounted(recipe), *([out.reactor] if recipe.snapshot_output else [])]


def snapshot_outputs(recipe: Recipe, out: StageOutputs) -> list[Path]:
    return [out.snapshot_wasm, out.snapshot_cwasm, out.snapshot_info] if recipe.snapshot_output else []


def aot_compile(project: Project, recipe: Recipe) -> str:
    from wasmimage import files
    from wasmimage.aot import compile_wasm
    from wasmimage.runtime import native

    out = project.stage_outputs(recipe)
    outcome = cache.run_cached(project.cache, "aot", recipe.name, aot_key(project, recipe), [out.cwasm, out.aot_info],
                               lambda: compile_wasm(out.wasm, out.cwasm, out.aot_info))
    # Compiled here or restored from an authenticated entry: the runner may load it (runtime/native.py).
    native.trust(files.sha256_file(out.cwasm), project.native_store)
    outcomes = [outcome, *(engine_aot(project, recipe, profile) for profile in project.engine_profiles(recipe))]
    return "miss" if "miss" in outcomes else "hit"


def engine_aot(project: Project, recipe: Recipe, profile: Profile) -> str:
    """Another engine profile's .cwasm, with its own wasmtime (the runner never loads it)."""
    from wasmimage.aot import compile_for_profile

    out = project.stage_outputs(recipe)
    engine = out.engine(profile.name)
    return cache.run_cached(project.cache, f"aot.{profile.name}", recipe.name, engine_aot_key(project, recipe, profile),
                            engine.aot_outputs,
                            lambda: compile_for_profile(profile, project.installed_compiler(profile), out.wasm,
                                                        engine.cwasm, engine.aot_info))


def snapshot_recipe(project: Project, recipe: Recipe) -> str:
    from wasmimage import files
    from wasmimage.runtime import native
    from wasmimage.runtime.runner import SCRIPT_DIR
    from wasmimage.snapshot import snapshot_stage

    out = project.stage_outputs(recipe)
    preload = tuple((f"{SCRIPT_DIR}/{recipe.run.script_name}", script) for script in recipe.snapshot_preloads)
    mounts = tuple((guest, tuple(out.mounted_dir / name for name in names)) for guest, names in recipe.run.mounts)
    outcome = cache.run_cached(project.cache, "snapshot", recipe.name, snapshot_key(project, recipe),
                               snapshot_outputs(recipe, out),
                               lambda: snapshot_stage(out.reactor, out.snapshot_wasm, out.snapshot_cwasm,
                                                      out.snapshot_info, preload, mounts))
    native.trust(files.sha256_file(out.snapshot_cwasm), project.native_store)  # as the aot stage does for its .cwasm
    return outcome


def verify_recipe(project: Project, recipe: Recipe) -> str:
    from wasmimage import files, junit

    out = project.stage_outputs(recipe)
    try:
        outcome = cache.run_cached(project.cache, "verify", recipe.name, verify_key(project, recipe), [out.report],
                                   lambda: run_verify(project, recipe))
    finally:
        # Failures too (that is when CI needs them), but never from a report of another .cwasm.
        if out.report.is_file() and out.cwasm.is_file() and \
                files.read_json(out.report).get("cwasm_sha256") == files.sha256_file(out.cwasm):
            junit.write(out.report)
    outcomes = [outcome, *(engine_verify(project, recipe, profile) for profile in project.engine_profiles(recipe))]
    return "miss" if "miss" in outcomes else "hit"


def engine_verify(project: Project, recipe: Recipe, profile: Profile) -> str:
    """The proof of another engine profile's .cwasm: the language suites in its own wasmtime (prove.py)."""
    from wasmimage import files
    from wasmimage.prove import prove

    out = project.stage_outputs(recipe)
    engine = out.engine(profile.name)
    return cache.run_cached(project.cache, f"verify.{profile.name}", recipe.name,
                            engine_verify_key(project, recipe, profile), [engine.report],
                            lambda: prove(profile, project.installed_compiler(profile), recipe.name, engine.cwasm,
                                          recipe.run, out.mounted_dir,
                                          files.read_json(out.build_info).get("mounted", {}),
                                          project.conformance_dir, recipe.language_suites, engine.report))


def run_verify(project: Project, recipe: Recipe) -> None:
    from wasmimage import files, verify
    from wasmimage.runtime.engine import load
    from wasmimage.runtime.runner import Program, program_from_run

    out = project.stage_outputs(recipe)
    mounted = files.read_json(out.build_info).get("mounted", {})

    def program(cwasm: Path, info_path: Path, snapshot: bool = False) -> tuple[Program, str]:
        info = files.read_json(info_path)
        module = load(cwasm, info["cwasm"]["sha256"], info)
        return (program_from_run(recipe.name, module, recipe.run, out.mounted_dir, mounted, snapshot,
                                 info.get("preloaded", {})), info["cwasm"]["sha256"])

    snapshot = program(out.snapshot_cwasm, out.snapshot_info, True) if recipe.snapshot_output else None
    verify.verify(*program(out.cwasm, out.aot_info), project.conformance_dir, recipe.conformance,
                  recipe.run.script_extension, out.report, recipe.run.canary.encode(),
                  {name: script.read_bytes() for name, script in recipe.protocols.items()}, snapshot)


def write_image(project: Project, recipe: Recipe) -> None:
    from wasmimage import files
    from wasmimage.image import assemble, image_dir
    from wasmimage.provenance import BuildRun

    build_run = BuildRun(started=RUN_STARTED, recipe_path=recipe.path.relative_to(project.root).as_posix(),
                         recipe_sha256=files.sha256_file(recipe.path),
                         stage_keys=stage_keys(project, recipe))
    target = assemble(recipe, project.stage_outputs(recipe), image_dir(project.images_dir, recipe), build_run,
                      tuple(p.name for p in project.engine_profiles(recipe)))
    log.get("image").info(f"{recipe.name}: wrote {target}")


# Task generators, one per stage; dodo.py exposes them.

def fetch_tasks(project: Project) -> Iterator[dict]:
    from wasmimage.fetch import is_cached

    for recipe in project.recipes:
        yield {
            "name": recipe.name,
            "doc": f"fetch and verify {recipe.name}'s sources into the cache",
            "actions": [_action(fetch_sources, project, recipe)],
            "uptodate": [lambda r=recipe: all(is_cached(s, project.fetch_settings) for s in r.sources)],
        }


def compile_tasks(project: Project) -> Iterator[dict]:
    for recipe in project.recipes:
        out = project.stage_outputs(recipe)
        yield {
            "name": recipe.name,
            "doc": f"build {recipe.name} to wasm32-wasip1",
            "actions": [_action(compile_recipe, project, recipe)],
            "file_dep": [recipe.path, recipe.toolchain.path, *recipe.build_file_paths()],
            "task_dep": [f"fetch:{recipe.name}"],
            "targets": compile_outputs(recipe, out),
            "uptodate": [_key_unchanged(compile_key, project, recipe)],
            "clean": True,
        }


def engine_outputs(project: Project, recipe: Recipe, out: StageOutputs, stage: str) -> list[Path]:
    """The files of each engine profile besides the runner's that the aot (or verify) stage writes."""
    engines = [out.engine(p.name) for p in project.engine_profiles(recipe)]
    return [path for e in engines for path in (e.aot_outputs if stage == "aot" else [e.report])]


def _aot_keys(project: Project, recipe: Recipe) -> str:
    """The aot stage's key with each other engine profile's: one task writes them all."""
    return sha256_json([aot_key(project, recipe),
                        *(engine_aot_key(project, recipe, p) for p in project.engine_profiles(recipe))])


def aot_tasks(project: Project) -> Iterator[dict]:
    for recipe in project.recipes:
        out = project.stage_outputs(recipe)
        yield {
            "name": recipe.name,
            "doc": f"AOT-compile {recipe.name} with wasmtime, for each engine profile",
            "actions": [_action(aot_compile, project, recipe)],
            "file_dep": [out.wasm],
            "targets": [out.cwasm, out.aot_info, *engine_outputs(project, recipe, out, "aot")],
            "uptodate": [_key_unchanged(_aot_keys, project, recipe)],
            "clean": True,
        }


def snapshot_tasks(project: Project) -> Iterator[dict]:
    for recipe in project.recipes:
        if not recipe.snapshot_output:
            continue
        out = project.stage_outputs(recipe)
        yield {
            "name": recipe.name,
            "doc": f"pre-initialize {recipe.name} into a snapshot and AOT-compile it",
            "actions": [_action(snapshot_recipe, project, recipe)],
            "file_dep": [out.reactor, *out.mounted(recipe)],
            "targets": snapshot_outputs(recipe, out),
            "uptodate": [_key_unchanged(snapshot_key, project, recipe)],
            "clean": True,
        }


def _verify_keys(project: Project, recipe: Recipe) -> str:
    """The verify stage's key with each other engine profile's: one task proves them all."""
    return sha256_json([verify_key(project, recipe),
                        *(engine_verify_key(project, recipe, p) for p in project.engine_profiles(recipe))])


def verify_tasks(project: Project) -> Iterator[dict]:
    from wasmimage import junit

    for recipe in project.recipes:
        out = project.stage_outputs(recipe)
        yield {
            "name": recipe.name,
            "doc": f"run {recipe.name}'s conformance suites against the .cwasm, and its language suites "
                   f"against each engine profile's .cwasm in that engine",
            "actions": [_action(verify_recipe, project, recipe)],
            "file_dep": [out.cwasm, out.aot_info, *snapshot_outputs(recipe, out), recipe.path, *recipe.file_paths(),
                         *project.conformance_files(recipe), *out.mounted(recipe),
                         *engine_outputs(project, recipe, out, "aot")],
            "targets": [out.report, junit.path_for(out.report), *engine_outputs(project, recipe, out, "verify")],
            "uptodate": [_key_unchanged(_verify_keys, project, recipe)],
            "clean": True,
        }


def _stage_keys(project: Project, recipe: Recipe) -> str:
    return sha256_json(stage_keys(project, recipe))


def image_tasks(project: Project) -> Iterator[dict]:
    from wasmimage.image import image_dir
    from wasmimage.runtime.image import MANIFEST

    for recipe in project.recipes:
        out = project.stage_outputs(recipe)
        yield {
            "name": recipe.name,
            "doc": f"write the {recipe.name} image directory and its manifest",
            "actions": [_action(write_image, project, recipe)],
            "file_dep": [out.wasm, out.build_info, out.cwasm, out.aot_info, *snapshot_outputs(recipe, out), out.report,
                         *recipe.file_paths(), *out.mounted(recipe), *engine_outputs(project, recipe, out, "aot"),
                         *engine_outputs(project, recipe, out, "verify")],
            "targets": [image_dir(project.images_dir, recipe) / MANIFEST],
            # The provenance records every stage key: a key that moved while its outputs stayed the
            # same (the verify key's prover, say) still rewrites the image, so the record stays true.
            "uptodate": [_key_unchanged(_stage_keys, project, recipe)],
        }


def build_tasks(project: Project) -> Iterator[dict]:
    for recipe in project.recipes:
        yield {
            "name": recipe.name,
            "doc": f"fetch, build, AOT-compile, verify and write the {recipe.name} image",
            "actions": None,
            "task_dep": [f"image:{recipe.name}"],
        }


def publish_recipe(project: Project, recipe: Recipe, dry_run: bool = False, insecure: bool = False) -> None:
    from wasmimage.image import image_dir
    from wasmimage.publish import publish
    from wasmimage.registry.client import Credentials
    from wasmimage.registry.target import Target

    settings = project.settings
    publish(image_dir(project.images_dir, recipe), Target.from_settings(settings), project.artifacts_dir / "oci",
            dry_run=dry_run, insecure=insecure, out=sys.stdout if dry_run else sys.stderr,
            sign_key=settings.signing_key, credentials=Credentials.from_settings(settings),
            source_date_epoch=int(settings.source_date_epoch))


def publish_tasks(project: Project) -> Iterator[dict]:
    """Push each image to $WASMIMAGE_REGISTRY; always runs (an unchanged image is a no-op there)."""
    params = [
        {"name": "dry_run", "long": "dry-run", "type": bool, "default": False,
         "help": "print the blobs and tag that would be pushed; push nothing"},
        {"name": "insecure", "long": "insecure", "type": bool, "default": False,
         "help": "allow plain http to a registry that is not on 127.0.0.1/localhost"},
    ]
    for recipe in project.recipes:
        def run(dry_run: bool = False, insecure: bool = False, recipe: Recipe = recipe) -> TaskFailed | None:
            return _action(publish_recipe, project, recipe, dry_run, insecure)()

        yield {
            "name": recipe.name,
            "doc": f"publish the {recipe.name} image as an OCI image to $WASMIMAGE_REGISTRY",
            "actions": [run],
            "task_dep": [f"image:{recipe.name}"],
            "params": params,
            "verbosity": 2,
        }


def list_outdated(project: Project, debian_release: str) -> None:
    from wasmimage.outdated.report import run

    status = run(project, debian_release or None)
    if status:
        raise PipelineError(f"outdated: exit status {status} (1: a pin misses a security release; "
                            f"4: a channel could not be asked)")


def outdated_task(project: Project) -> dict:
    """List every recipe and toolchain pin with the newest version its channel offers; always runs."""
    def run(debian_release: str = "") -> TaskFailed | None:
        return _action(list_outdated, project, debian_release)()

    return {
        "doc": "list every recipe and toolchain pin with the newest version its channel offers",
        "actions": [run],
        "uptodate": [False],
        "params": [{"name": "debian_release", "long": "debian-release", "type": str, "default": "",
                    "help": "the Debian release whose suites hold the toolchains' Debian packages "
                            "(default: the one this machine runs)"}],
        "verbosity": 2,
    }
