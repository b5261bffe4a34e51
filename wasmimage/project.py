"""Where everything lives in a checkout, and the stage actions doit calls.

Stages never call each other: each reads the previous stage's files from disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from wasmimage import __version__, files
from wasmimage.cache import Cache
from wasmimage.errors import PipelineError
from wasmimage.fetch import FetchSettings
from wasmimage.image import StageOutputs
from wasmimage.recipe import Recipe, load_recipes
from wasmimage.toolchain import ResolvedToolchain, key_identity, resolve

WORK_ENV = "WASMIMAGE_WORK_DIR"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def recipes_dir(self) -> Path:
        return self.root / "recipes"

    @property
    def toolchains_dir(self) -> Path:
        return self.root / "toolchains"

    @property
    def conformance_dir(self) -> Path:
        return self.root / "conformance"

    @property
    def artifacts_dir(self) -> Path:
        return self.root / "artifacts"

    @property
    def images_dir(self) -> Path:
        return self.artifacts_dir / "images"

    @property
    def work_dir(self) -> Path:
        """Scratch build trees (default `build/`)."""
        return Path(os.environ.get(WORK_ENV) or self.root / "build")

    @cached_property
    def fetch_settings(self) -> FetchSettings:
        return FetchSettings.from_env(self.root / ".cache" / "sources")

    @cached_property
    def cache(self) -> Cache:
        """The artifact cache of stage outputs (default `.cache/artifacts/`; see cache.py)."""
        return Cache.from_env(self.root / ".cache" / "artifacts")

    @cached_property
    def recipes(self) -> list[Recipe]:
        return load_recipes(self.recipes_dir, self.toolchains_dir, self.conformance_dir)

    def recipe(self, name: str) -> Recipe:
        for recipe in self.recipes:
            if recipe.name == name:
                return recipe
        raise PipelineError(f"no recipe named {name!r} in {self.recipes_dir}")

    def toolchain(self, recipe: Recipe) -> ResolvedToolchain:
        return resolve(recipe.toolchain, self.fetch_settings.cache_dir / "toolchains")

    def stage_outputs(self, recipe: Recipe) -> StageOutputs:
        out = self.artifacts_dir / "build" / recipe.name
        return StageOutputs(wasm=out / "interpreter.wasm", build_info=out / "build-info.json",
                            cwasm=out / "interpreter.cwasm", aot_info=out / "aot-info.json",
                            report=out / "conformance-report.json", mounted_dir=out / "mounted",
                            reactor=out / "reactor.wasm", snapshot_wasm=out / "snapshot.wasm",
                            snapshot_cwasm=out / "snapshot.cwasm", snapshot_info=out / "snapshot-info.json")

    def conformance_files(self, recipe: Recipe) -> list[Path]:
        return sorted(p for suite in recipe.conformance
                      for p in (self.conformance_dir / suite).rglob("*") if p.is_file())


def digest(value: object) -> str:
    """sha256 of a JSON-able value in canonical form."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def compile_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the .wasm and build-info.json (what each part is: docs/cache.md)."""
    from wasmimage.build import source_date_epoch

    return digest({
        "recipe": recipe.digest(),
        "toolchain": key_identity(recipe.toolchain, project.fetch_settings.cache_dir / "toolchains"),
        "toolchain_file": files.sha256_file(recipe.toolchain.path),
        "source_date_epoch": source_date_epoch(),
        "pipeline": __version__,
    })


def aot_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the .cwasm and aot-info.json: the .wasm and the engine compiling it."""
    from wasmimage.runtime.engine import cpu_features, engine_identity

    return digest({
        "wasm": files.sha256_file(project.stage_outputs(recipe).wasm),
        "engine": engine_identity(),
        "cpu": cpu_features(),
        "pipeline": __version__,
    })


def snapshot_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the snapshot and its .cwasm: the reactor, the engine running and compiling it."""
    from wasmimage.runtime.engine import cpu_features, engine_identity

    preload = recipe.snapshot_preload
    return digest({
        "reactor": files.sha256_file(project.stage_outputs(recipe).reactor),
        "preload": [recipe.run["script_name"], files.sha256_file(preload)] if preload else None,
        "engine": engine_identity(),
        "cpu": cpu_features(),
        "pipeline": __version__,
    })


def verify_key(project: Project, recipe: Recipe) -> str:
    """Everything that can change the conformance report: the .cwasm files, the suites and how they are run."""
    out = project.stage_outputs(recipe)
    return digest({
        "recipe": recipe.name,
        "cwasm": files.sha256_file(out.cwasm),
        **({"snapshot_cwasm": files.sha256_file(out.snapshot_cwasm)} if recipe.snapshot_output else {}),
        "suites": sorted(recipe.conformance),
        "suite_files": {p.relative_to(project.conformance_dir).as_posix(): files.sha256_file(p)
                        for p in project.conformance_files(recipe)},
        "run": recipe.run,
        "executors": {name: files.sha256_file(script) for name, script in recipe.protocols.items()},
        **({"mounted": {p.name: files.sha256_file(p) for p in out.mounted(recipe)}}
           if recipe.mounted_files else {}),
        "pipeline": __version__,
    })

