"""Build keys: for each cached stage, everything that can change its output bytes, hashed.

A key names a stage's entry in the artifact cache (cache.py) and is doit's up-to-date check
(tasks.py). The keys sit side by side so that what each covers can be read, and compared, in
one screen; docs/cache.md's table says why each part is there. The aot and verify stages have
one more pair of keys per engine profile besides the runner's (engines.py): its .cwasm, made
by its own wasmtime CLI, and its proof in that CLI. A key is
digests.sha256_json of its parts (canonical JSON), except the recipe digest inside the
compile key, which keeps its older layout (Recipe.digest, digests.spaced_json).

Changing what a key covers, or how it is hashed, changes every existing key: bump
wasmimage.__version__ with it and say why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wasmimage import __version__
from wasmimage.digests import sha256_file, sha256_json
from wasmimage.errors import PipelineError
from wasmimage.pipeline.engines import Profile
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.recipe import Recipe
from wasmimage.pipeline.toolchain import pinned


def toolchain_identity(project: Project, recipe: Recipe) -> dict[str, Any]:
    """The toolchain identity a build key uses: the resolved provider's, as recorded in the manifest.

    One exception, so that a machine without the compiler can still find a cached build: a
    forced Debian provider whose packages are not installed here (or not at the pins) is keyed
    on its pins, which is what a machine with the pinned packages resolves to. Building on a
    miss still needs the packages (resolving then explains how to install them).
    """
    try:
        return project.toolchain(recipe).identity
    except PipelineError:
        keyed = pinned(recipe.toolchain, project.settings.toolchain_provider)
        if keyed is None:
            raise
        return keyed.identity


def compile_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the .wasm and build-info.json."""
    return sha256_json({
        "recipe": recipe.digest(),
        "toolchain": toolchain_identity(project, recipe),
        "toolchain_file": sha256_file(recipe.toolchain.path),
        "source_date_epoch": project.settings.source_date_epoch,
        "pipeline": __version__,
    })


def aot_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the .cwasm and aot-info.json: the .wasm and the engine compiling it."""
    from wasmimage.runtime.engine import cpu_features, engine_identity

    return sha256_json({
        "wasm": sha256_file(project.stage_outputs(recipe).wasm),
        "engine": engine_identity(),
        "cpu": cpu_features(),
        "pipeline": __version__,
    })


def snapshot_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the snapshot and its .cwasm: the reactor, the files init reads,
    the engine running and compiling it."""
    from wasmimage.runtime.engine import cpu_features, engine_identity

    out = project.stage_outputs(recipe)
    return sha256_json({
        "reactor": sha256_file(out.reactor),
        **({"mounts": {guest: {name: sha256_file(out.mounted_dir / name) for name in names}
                       for guest, names in recipe.run.mounts}} if recipe.run.mounts else {}),
        "preload": [recipe.run.script_name, *(sha256_file(script) for script in recipe.snapshot_preloads)],
        "snapshotter": code_digest("pipeline/snapshot.py", "pipeline/init_files.py", "pipeline/wasm_binary.py",
                                   "runtime/snapshot_abi.py"),
        "engine": engine_identity(),
        "cpu": cpu_features(),
        "pipeline": __version__,
    })


def code_digest(*patterns: str) -> dict[str, str]:
    """The sha256 of each file of this package that `patterns` (globs relative to it) name, by path."""
    package = Path(__file__).resolve().parents[1]  # wasmimage/
    paths = sorted({path for pattern in patterns for path in package.glob(pattern)})
    return {path.relative_to(package).as_posix(): sha256_file(path) for path in paths}


def prover_digest() -> dict[str, str]:
    """The code that runs the suites and judges them (the run half, as it ships, verify.py and, for
    the engine profiles, prove.py): a change to how a call is run or checked is proven again, not
    restored from the cache."""
    return code_digest("runtime/*.py", "pipeline/verify.py", "pipeline/prove.py")


def writer_digest() -> dict[str, str]:
    """The code that writes an image directory from the stages' outputs: its manifest, SBOM and
    provenance, and the source kinds that describe the pins in them. Not a cache key (the image
    stage is not cached) but part of what its up-to-date check compares (tasks.py), so that new
    code rewrites the images an older one wrote."""
    return code_digest("pipeline/image.py", "pipeline/image_files.py", "pipeline/sbom.py",
                       "pipeline/provenance.py", "sources/*.py")


def verify_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the conformance report: the .cwasm files, the suites and how they are run."""
    out = project.stage_outputs(recipe)
    return sha256_json({
        "recipe": recipe.name,
        "cwasm": sha256_file(out.cwasm),
        **({"snapshot_cwasm": sha256_file(out.snapshot_cwasm)} if recipe.snapshot_output else {}),
        "suites": sorted(recipe.conformance),
        "suite_files": {p.relative_to(project.conformance_dir).as_posix(): sha256_file(p)
                        for p in project.conformance_files(recipe)},
        "run": recipe.data["run"],  # as written (the key's bytes predate RunSpec)
        "executors": {name: sha256_file(script) for name, script in recipe.protocols.items()},
        **({"mounted": {p.name: sha256_file(p) for p in out.mounted(recipe)}}
           if recipe.mounted_files else {}),
        "prover": prover_digest(),
        "pipeline": __version__,
    })


def engine_aot_key(project: Project, recipe: Recipe, profile: Profile) -> str:
    """Everything that can change an engine profile's .cwasm: the .wasm and the profile's identity
    (wasmtime version, settings, target, CPU baseline: not this host's features) with its compiler's."""
    return sha256_json({
        "wasm": sha256_file(project.stage_outputs(recipe).wasm),
        "engine": profile.identity(project.compiler(profile)),
        "pipeline": __version__,
    })


def engine_verify_key(project: Project, recipe: Recipe, profile: Profile) -> str:
    """Everything that can change an engine profile's proof: its .cwasm, the CLI running it, the
    language suites and how the image runs (its `run` section, the files it mounts)."""
    out = project.stage_outputs(recipe)
    return sha256_json({
        "recipe": recipe.name,
        "cwasm": sha256_file(out.engine(profile.name).cwasm),
        "engine": profile.identity(project.compiler(profile)),
        "suites": list(recipe.language_suites),
        "suite_files": {p.relative_to(project.conformance_dir).as_posix(): sha256_file(p)
                        for suite in recipe.language_suites
                        for p in sorted((project.conformance_dir / suite).rglob("*")) if p.is_file()},
        "run": recipe.data["run"],
        **({"mounted": {p.name: sha256_file(p) for p in out.mounted(recipe)}} if recipe.mounted_files else {}),
        "prover": prover_digest(),
        "pipeline": __version__,
    })


def aot_keys(project: Project, recipe: Recipe) -> dict[str, str]:
    """The aot stage's keys: the runner's .cwasm (`aot`), then each other engine profile's (`aot.PROFILE`)."""
    return {"aot": aot_key(project, recipe),
            **{f"aot.{p.name}": engine_aot_key(project, recipe, p) for p in project.engine_profiles(recipe)}}


def verify_keys(project: Project, recipe: Recipe) -> dict[str, str]:
    """The verify stage's keys: the runner's proof (`verify`), then each other engine profile's (`verify.PROFILE`)."""
    return {"verify": verify_key(project, recipe),
            **{f"verify.{p.name}": engine_verify_key(project, recipe, p) for p in project.engine_profiles(recipe)}}


def stage_keys(project: Project, recipe: Recipe) -> dict[str, str]:
    """Every stage key of a recipe, as the provenance records them (snapshot only for recipes with one;
    `aot.PROFILE` and `verify.PROFILE` for each engine profile besides the runner's)."""
    return {"compile": compile_key(project, recipe), **aot_keys(project, recipe),
            **({"snapshot": snapshot_key(project, recipe)} if recipe.snapshot_output else {}),
            **verify_keys(project, recipe)}
