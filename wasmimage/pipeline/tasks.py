"""doit task definitions: the stage table (STAGES), one task per stage and recipe made from it.

A stage is one record: what its task does, the keys that say whether it is up to date
(keys.py), the files it reads (`file_dep`) and writes (`targets`), and its action, which reads
the previous stage's files from disk. doit asks for the keys after the stages before have run,
compares them with those of the last successful run, and the action is handed the same keys
(it names the stage's artifact cache entry by them): each key is computed once per run.

Each action turns a PipelineError into doit's TaskFailed, so a user sees the message, not a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from wasmimage import log
from wasmimage.digests import sha256_json
from wasmimage.errors import PipelineError, StepFailed
from wasmimage.pipeline import cache, keys
from wasmimage.pipeline.engines import Profile
from wasmimage.pipeline.project import Project, StageOutputs
from wasmimage.pipeline.recipe import Recipe

RUN_STARTED = datetime.now(UTC)  # doit loads dodo.py, and so this module, as its run begins

Keys = dict[str, str]  # stage keys, named as keys.stage_keys names them: "compile", "aot", "aot.PROFILE", ...
Files = Callable[[Project, Recipe, StageOutputs], list[Path]]


def _no_files(project: Project, recipe: Recipe, out: StageOutputs) -> list[Path]:
    return []


def _the_key(stage_keys: Keys) -> str:
    (key,) = stage_keys.values()
    return key


def _key_list(stage_keys: Keys) -> str:
    return sha256_json(list(stage_keys.values()))


def _keys_and_writer(stage_keys: Keys) -> str:
    return sha256_json({**stage_keys, "writer": keys.writer_digest()})


@dataclass(frozen=True)
class Stage:
    """One stage of the pipeline: a doit task group, with a task per recipe it applies to."""

    name: str  # the task group: `doit NAME:RECIPE` runs the stage for one recipe
    doc: str  # what a task does; {name} is the recipe's name
    action: Callable[[Project, Recipe, StageOutputs, Keys], str | None]  # "hit"/"miss": the artifact cache's answer
    keys: Callable[[Project, Recipe], Keys] | None = None  # what its up-to-date check compares (keys.py)
    # What doit keeps of the keys to compare with the next run's: one of the folds above (as they were
    # before this table, so an existing .doit.db stays up to date).
    stored: Callable[[Keys], str] = _the_key
    uptodate: Callable[[Project, Recipe], bool] | None = None  # a check of its own, for a stage without keys
    file_dep: Files = _no_files
    targets: Files = _no_files
    after: str | None = None  # a stage that must run first though this one reads none of its files
    applies: Callable[[Recipe], bool] = lambda recipe: True
    clean: bool = True  # `doit clean` removes its targets
    # Its action goes through the artifact cache (cache.py) and answers "hit" or "miss": the closing
    # summary (summary.py) says which stages ran and which the cache restored.
    cached: bool = False


class _KeyCheck:
    """doit's up-to-date check on a stage's keys for one recipe, keeping them for the action that follows.

    doit calls it with the task and the values its last successful run saved. The keys are computed
    then, after the stages before have run. If they cannot be (a toolchain problem, a missing input),
    the check says "run", and the action, computing them itself, fails with the reason: the check
    never fails doit. Otherwise the action takes the keys the check compared (and doit then keeps).
    """

    def __init__(self, compute: Callable[[Project, Recipe], Keys], stored: Callable[[Keys], str], project: Project,
                 recipe: Recipe) -> None:
        self._compute, self._stored = compute, stored
        self._project, self._recipe = project, recipe
        self._keys: Keys | None = None

    def __call__(self, task: Any, values: dict) -> bool:
        try:
            self._keys = self._compute(self._project, self._recipe)
        except (PipelineError, OSError):  # e.g. the previous stage's output is missing
            self._keys = None
            return False
        stored = self._stored(self._keys)
        task.value_savers.append(lambda: {"key": stored})
        return values.get("key") == stored

    def take(self) -> Keys:
        taken, self._keys = self._keys, None
        return taken if taken is not None else self._compute(self._project, self._recipe)


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


def stage_tasks(project: Project, name: str) -> Iterator[dict]:
    """The stage's doit tasks, one per recipe it applies to."""
    stage = STAGES[name]
    for recipe in project.recipes:
        if not stage.applies(recipe):
            continue
        out = project.stage_outputs(recipe)
        check = _KeyCheck(stage.keys, stage.stored, project, recipe) if stage.keys else None

        def run(recipe: Recipe = recipe, out: StageOutputs = out, check: _KeyCheck | None = check) -> str | None:
            return stage.action(project, recipe, out, check.take() if check else {})

        run.__name__ = stage.action.__name__
        yield {
            "name": recipe.name,
            "doc": stage.doc.format(name=recipe.name),
            "actions": [_action(run)],
            "file_dep": stage.file_dep(project, recipe, out),
            "targets": stage.targets(project, recipe, out),
            "task_dep": [f"{stage.after}:{recipe.name}"] if stage.after else [],
            "uptodate": [check if check else (stage.uptodate, [project, recipe], {})],
            "clean": True if stage.clean else [],  # [] as doit's default: no clean actions, targets kept
        }


# Stage actions. Compile, aot, snapshot and verify (`cached` in the table) go through the artifact
# cache (cache.py): on a hit they restore their outputs and do no work.

def fetch_sources(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> None:
    """Every source of the recipe into the source cache (the fetch stage has no keys of its own)."""
    from wasmimage.pipeline.fetch import fetch_all

    # Sources are only needed to compile: with the compile output cached, fetch nothing (if the
    # entry then proves corrupt, the build fetches what it needs itself).
    try:
        where = cache.has(project.cache, "compile", recipe.name, keys.compile_key(project, recipe))
    except PipelineError:
        where = None
    if where:
        log.get("cache").info(f"fetch:{recipe.name} skipped: compile:{recipe.name} is cached ({where})")
        return
    # All of them, so that one failure names everything missing (and cargo-vendor sources
    # can vendor with the recipe's own cargo).
    fetch_all(recipe.name, recipe.sources, project.fetch_settings, lambda: project.toolchain(recipe))


def _sources_cached(project: Project, recipe: Recipe) -> bool:
    from wasmimage.pipeline.fetch import is_cached

    return all(is_cached(source, project.fetch_settings) for source in recipe.sources)


def compile_recipe(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> str:
    from wasmimage.pipeline.build import build

    return cache.run_cached(project.cache, "compile", recipe.name, stage_keys["compile"], out.compiled(recipe),
                            lambda: build(recipe, project.toolchain(recipe), project.fetch_settings,
                                          project.work_dir / recipe.name, out.wasm, out.build_info, out.mounted_dir,
                                          out.reactor, source_date_epoch=project.settings.source_date_epoch,
                                          sandboxed=not project.settings.unsandboxed_builds))


def _cache_outcome(*outcomes: str) -> str:
    """One task's answer from the artifact cache for its parts: a miss if any part missed."""
    return "miss" if "miss" in outcomes else "hit"


def aot_compile(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> str:
    from wasmimage import files
    from wasmimage.pipeline.aot import compile_wasm
    from wasmimage.runtime import native

    outcome = cache.run_cached(project.cache, "aot", recipe.name, stage_keys["aot"], [out.cwasm, out.aot_info],
                               lambda: compile_wasm(out.wasm, out.cwasm, out.aot_info))
    # Compiled here or restored from an authenticated entry: the runner may load it (runtime/native.py).
    native.trust(files.sha256_file(out.cwasm), project.native_store)
    return _cache_outcome(outcome, *(engine_aot(project, recipe, out, profile, stage_keys[f"aot.{profile.name}"])
                              for profile in project.engine_profiles(recipe)))


def engine_aot(project: Project, recipe: Recipe, out: StageOutputs, profile: Profile, key: str) -> str:
    """Another engine profile's .cwasm, with its own wasmtime (the runner never loads it)."""
    from wasmimage.pipeline.aot import compile_for_profile

    engine = out.engine(profile.name)
    return cache.run_cached(project.cache, f"aot.{profile.name}", recipe.name, key, engine.aot_outputs,
                            lambda: compile_for_profile(profile, project.installed_compiler(profile), out.wasm,
                                                        engine.cwasm, engine.aot_info))


def snapshot_recipe(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> str:
    from wasmimage import files
    from wasmimage.pipeline.snapshot import snapshot_stage
    from wasmimage.runtime import native
    from wasmimage.runtime.runner import SCRIPT_DIR

    preload = tuple((f"{SCRIPT_DIR}/{recipe.run.script_name}", script) for script in recipe.snapshot_preloads)
    mounts = tuple((guest, tuple(out.mounted_dir / name for name in names)) for guest, names in recipe.run.mounts)
    outcome = cache.run_cached(project.cache, "snapshot", recipe.name, stage_keys["snapshot"], out.snapshotted(recipe),
                               lambda: snapshot_stage(out.reactor, out.snapshot_wasm, out.snapshot_cwasm,
                                                      out.snapshot_info, preload, mounts))
    native.trust(files.sha256_file(out.snapshot_cwasm), project.native_store)  # as the aot stage does for its .cwasm
    return outcome


def verify_recipe(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> str:
    from wasmimage.pipeline import junit, verify

    try:
        outcome = cache.run_cached(project.cache, "verify", recipe.name, stage_keys["verify"], [out.report],
                                   lambda: verify.verify_stage(recipe, out, project.conformance_dir))
    finally:
        if verify.proves(out.report, out.cwasm):  # failures too (CI needs them), never another .cwasm's
            junit.write(out.report)
    return _cache_outcome(outcome, *(engine_verify(project, recipe, out, profile, stage_keys[f"verify.{profile.name}"])
                              for profile in project.engine_profiles(recipe)))


def engine_verify(project: Project, recipe: Recipe, out: StageOutputs, profile: Profile, key: str) -> str:
    """The proof of another engine profile's .cwasm: the language suites in its own wasmtime (prove.py)."""
    from wasmimage import files
    from wasmimage.pipeline.prove import prove

    engine = out.engine(profile.name)
    return cache.run_cached(project.cache, f"verify.{profile.name}", recipe.name, key, [engine.report],
                            lambda: prove(profile, project.installed_compiler(profile), recipe.name, engine.cwasm,
                                          recipe.run, out.mounted_dir,
                                          files.read_json(out.build_info).get("mounted", {}),
                                          project.conformance_dir, recipe.language_suites, engine.report))


def write_image(project: Project, recipe: Recipe, out: StageOutputs, stage_keys: Keys) -> None:
    """The image directory, with every stage key (`stage_keys`) in its provenance."""
    from wasmimage import files
    from wasmimage.pipeline.image import assemble, image_dir
    from wasmimage.pipeline.provenance import BuildRun

    build_run = BuildRun(started=RUN_STARTED, recipe_path=recipe.path.relative_to(project.root).as_posix(),
                         recipe_sha256=files.sha256_file(recipe.path), stage_keys=stage_keys)
    target = assemble(recipe, out, image_dir(project.images_dir, recipe), build_run,
                      tuple(p.name for p in project.engine_profiles(recipe)))
    log.get("image").info(f"{recipe.name}: wrote {target}")


# What each stage reads and writes, beyond the one-liners in the table.

def engine_outputs(project: Project, recipe: Recipe, out: StageOutputs, stage: str) -> list[Path]:
    """The files of each engine profile besides the runner's that the aot (or verify) stage writes."""
    engines = [out.engine(p.name) for p in project.engine_profiles(recipe)]
    return [path for e in engines for path in (e.aot_outputs if stage == "aot" else [e.report])]


def _verify_reads(project: Project, recipe: Recipe, out: StageOutputs) -> list[Path]:
    return [out.cwasm, out.aot_info, *out.snapshotted(recipe), recipe.path, *recipe.file_paths(),
            *project.conformance_files(recipe), *out.mounted(recipe), *engine_outputs(project, recipe, out, "aot")]


def _verify_writes(project: Project, recipe: Recipe, out: StageOutputs) -> list[Path]:
    from wasmimage.pipeline import junit

    return [out.report, junit.path_for(out.report), *engine_outputs(project, recipe, out, "verify")]


def _image_reads(project: Project, recipe: Recipe, out: StageOutputs) -> list[Path]:
    return [out.wasm, out.build_info, out.cwasm, out.aot_info, *out.snapshotted(recipe), out.report,
            *recipe.file_paths(), *out.mounted(recipe), *engine_outputs(project, recipe, out, "aot"),
            *engine_outputs(project, recipe, out, "verify")]


def _image_writes(project: Project, recipe: Recipe, out: StageOutputs) -> list[Path]:
    from wasmimage.pipeline.image import image_dir
    from wasmimage.runtime.image import MANIFEST

    return [image_dir(project.images_dir, recipe) / MANIFEST]


STAGES = {stage.name: stage for stage in (
    Stage("fetch", "fetch and verify {name}'s sources into the cache", fetch_sources,
          uptodate=_sources_cached, clean=False),
    Stage("compile", "build {name} to wasm32-wasip1", compile_recipe,
          keys=lambda project, recipe: {"compile": keys.compile_key(project, recipe)},
          file_dep=lambda project, recipe, out: [recipe.path, recipe.toolchain.path, *recipe.build_file_paths()],
          targets=lambda project, recipe, out: out.compiled(recipe), after="fetch", cached=True),
    Stage("aot", "AOT-compile {name} with wasmtime, for each engine profile", aot_compile,
          keys=keys.aot_keys, stored=_key_list, file_dep=lambda project, recipe, out: [out.wasm],
          targets=lambda project, recipe, out: [out.cwasm, out.aot_info,
                                                *engine_outputs(project, recipe, out, "aot")], cached=True),
    Stage("snapshot", "pre-initialize {name} into a snapshot and AOT-compile it", snapshot_recipe,
          keys=lambda project, recipe: {"snapshot": keys.snapshot_key(project, recipe)},
          file_dep=lambda project, recipe, out: [out.reactor, *out.mounted(recipe)],
          targets=lambda project, recipe, out: out.snapshotted(recipe),
          applies=lambda recipe: bool(recipe.snapshot_output), cached=True),
    Stage("verify", "run {name}'s conformance suites against the .cwasm, and its language suites "
                    "against each engine profile's .cwasm in that engine", verify_recipe,
          keys=keys.verify_keys, stored=_key_list, file_dep=_verify_reads, targets=_verify_writes, cached=True),
    # The provenance records every stage key: a key that moved while its outputs stayed the same
    # (the verify key's prover, say) still rewrites the image, so the record stays true. So does a
    # change to the code that writes it (keys.writer_digest: the SBOM's, say).
    Stage("image", "write the {name} image directory and its manifest", write_image,
          keys=keys.stage_keys, stored=_keys_and_writer, file_dep=_image_reads, targets=_image_writes, clean=False),
)}


def build_tasks(project: Project) -> Iterator[dict]:
    for recipe in project.recipes:
        yield {
            "name": recipe.name,
            "doc": f"fetch, build, AOT-compile, verify and write the {recipe.name} image",
            "actions": None,
            "task_dep": [f"image:{recipe.name}"],
        }


def publish_recipe(project: Project, recipe: Recipe, dry_run: bool = False, insecure: bool = False) -> None:
    from wasmimage.pipeline.image import image_dir
    from wasmimage.pipeline.publish import publish
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
    from wasmimage.pipeline.outdated.report import run

    status = run(project, debian_release or None)
    if status:
        raise StepFailed(f"outdated: exit status {status} (1: a pin misses a security release; "
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
