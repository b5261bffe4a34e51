"""Where everything lives in a checkout: recipes, toolchains, suites, stage outputs, caches.

The build keys computed over these are in keys.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from wasmimage.errors import NotFound, PipelineError
from wasmimage.pipeline import engines
from wasmimage.pipeline.cache import Cache
from wasmimage.pipeline.recipe import Recipe, load_recipes
from wasmimage.pipeline.toolchain import ResolvedToolchain, Toolchain, load_toolchain, pinned, resolve
from wasmimage.runtime.native import NativeStore
from wasmimage.settings import Settings
from wasmimage.sources.base import FetchSettings


@dataclass(frozen=True)
class StageOutputs:
    """Where the earlier stages left their results for one recipe."""

    wasm: Path
    build_info: Path
    cwasm: Path
    aot_info: Path
    report: Path
    mounted_dir: Path  # the files the recipe's run.mounts names, as the compile stage kept them
    # The snapshot stage's, used by recipes with a `snapshot` section (snapshot.py)
    reactor: Path
    snapshot_wasm: Path
    snapshot_cwasm: Path
    snapshot_info: Path

    engines_dir: Path  # the .cwasm of each engine profile besides the runner's (engines.py)

    @classmethod
    def under(cls, out: Path) -> StageOutputs:
        """A recipe's outputs, all in the directory `out`."""
        return cls(wasm=out / "interpreter.wasm", build_info=out / "build-info.json",
                   cwasm=out / "interpreter.cwasm", aot_info=out / "aot-info.json",
                   report=out / "conformance-report.json", mounted_dir=out / "mounted",
                   reactor=out / "reactor.wasm", snapshot_wasm=out / "snapshot.wasm",
                   snapshot_cwasm=out / "snapshot.cwasm", snapshot_info=out / "snapshot-info.json",
                   engines_dir=out / "engines")

    def mounted(self, recipe: Recipe) -> list[Path]:
        return [self.mounted_dir / name for name in recipe.mounted_files]

    def compiled(self, recipe: Recipe) -> list[Path]:
        """What the compile stage writes: the .wasm, its record, the mounted files and (with `snapshot`) the reactor."""
        return [self.wasm, self.build_info, *self.mounted(recipe), *([self.reactor] if recipe.snapshot_output else [])]

    def snapshotted(self, recipe: Recipe) -> list[Path]:
        """What the snapshot stage writes (nothing for a recipe without `snapshot`)."""
        return [self.snapshot_wasm, self.snapshot_cwasm, self.snapshot_info] if recipe.snapshot_output else []

    def engine(self, profile: str) -> EngineOutputs:
        return EngineOutputs(cwasm=self.engines_dir / f"{profile}.cwasm",
                             aot_info=self.engines_dir / f"{profile}.aot-info.json",
                             report=self.engines_dir / f"{profile}.conformance-report.json")


@dataclass(frozen=True)
class EngineOutputs:
    """One engine profile's .cwasm, how it was made (aot stage), and its proof (verify stage)."""

    cwasm: Path
    aot_info: Path
    report: Path

    @property
    def aot_outputs(self) -> list[Path]:
        return [self.cwasm, self.aot_info]


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings = Settings()  # the CLI and dodo.py pass Settings.from_environ(); tests pass their own

    @property
    def recipes_dir(self) -> Path:
        return self.root / "recipes"

    @property
    def toolchains_dir(self) -> Path:
        return self.root / "toolchains"

    @property
    def engines_dir(self) -> Path:
        return self.root / "engines"

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
        return self.settings.work_dir or self.root / "build"

    @cached_property
    def fetch_settings(self) -> FetchSettings:
        return FetchSettings.from_settings(self.settings, self.root / ".cache" / "sources")

    @cached_property
    def cache(self) -> Cache:
        """The artifact cache of stage outputs (default `.cache/artifacts/`; see cache.py)."""
        return Cache.from_settings(self.settings, self.root / ".cache" / "artifacts")

    @property
    def native_store(self) -> NativeStore:
        """Where the stages record the .cwasm files they made, and verify loads them from."""
        return NativeStore.from_settings(self.settings)

    @cached_property
    def recipes(self) -> list[Recipe]:
        recipes = load_recipes(self.recipes_dir, self.toolchains_dir, self.conformance_dir)
        for recipe in recipes:
            engines.for_recipe(recipe, self.profiles)  # every `engines` entry names a profile
        return recipes

    @cached_property
    def profiles(self) -> dict[str, engines.Profile]:
        return engines.load_profiles(self.engines_dir, self.toolchains_dir)

    def engine_profiles(self, recipe: Recipe) -> tuple[engines.Profile, ...]:
        """The engine profiles besides the runner's that the recipe's image carries a .cwasm for."""
        return engines.for_recipe(recipe, self.profiles)

    def recipe(self, name: str) -> Recipe:
        for recipe in self.recipes:
            if recipe.name == name:
                return recipe
        raise NotFound(f"no recipe named {name!r} in {self.recipes_dir}")

    @cached_property
    def _resolved(self) -> dict[tuple[Path, str | None], ResolvedToolchain | PipelineError]:
        return {}

    def toolchain(self, recipe: Recipe) -> ResolvedToolchain:
        """The recipe's toolchain as resolved on this machine, once per Project (doit makes one per run).

        Resolving asks dpkg-query or rustup (20-50 ms, and a few times per recipe per run: the
        compile key, the fetch and compile actions, the image's provenance); the answer, or the
        reason there is none, cannot change within a run.
        """
        return self._resolve(recipe.toolchain, self.settings.toolchain_provider)

    def compiler(self, profile: engines.Profile) -> ResolvedToolchain:
        """A CLI profile's compiler toolchain as resolved here (not yet installed: tools.install)."""
        return self._resolve(profile.cli_compiler, self._forced_if_known(profile.cli_compiler))

    def _forced_if_known(self, toolchain: Toolchain) -> str | None:
        """$WASMIMAGE_TOOLCHAIN_PROVIDER for a tool's toolchain (a compiler, its builder): only if it names
        one of its providers. So a forced `debian` (CI's recipe toolchains) leaves the wasmtime CLIs to
        their own order, and a forced `crate` (the wasmtime CLI built from source) leaves the builder to its own."""
        forced = self.settings.toolchain_provider
        return forced if forced in [p.name for p in toolchain.providers] else None

    def installed_compiler(self, profile: engines.Profile) -> ResolvedToolchain:
        """A CLI profile's compiler, installed (restored or built, once per cache: tools.py)."""
        from wasmimage.pipeline import tools

        compiler = self.compiler(profile)
        try:
            tools.install(compiler, self.fetch_settings, self.cache, self.work_dir)
        except PipelineError as exc:
            raise type(exc)(f"engine profile {profile.name}: cannot install its wasmtime {profile.wasmtime} "
                            f"({compiler.name}, provider {compiler.provider}): {exc}") from None
        return compiler

    def _resolve(self, toolchain: Toolchain, forced: str | None) -> ResolvedToolchain:
        key = (toolchain.path, forced)  # a builder may be resolved with another forced provider than a recipe's
        if key not in self._resolved:
            try:
                self._resolved[key] = resolve(toolchain, self.fetch_settings.cache_dir / "toolchains", forced,
                                              self.settings.accept_toolchain_drift, self._builder)
            except PipelineError as exc:
                self._resolved[key] = exc
        resolved = self._resolved[key]
        if isinstance(resolved, PipelineError):
            raise resolved.with_traceback(None)
        return resolved

    def _builder(self, name: str) -> ResolvedToolchain:
        """A toolchain that builds a tool (a cargo-install provider's `builder`), by name; on a machine
        without it but with a forced Debian provider, its pins (keys.toolchain_identity says why)."""
        toolchain = load_toolchain(self.toolchains_dir, name)
        try:
            return self._resolve(toolchain, self._forced_if_known(toolchain))
        except PipelineError:
            keyed = pinned(toolchain, self.settings.toolchain_provider)
            if keyed is None:
                raise
            return keyed

    @cached_property
    def _stage_outputs(self) -> dict[str, StageOutputs]:
        return {}

    def stage_outputs(self, recipe: Recipe) -> StageOutputs:
        """Where the stages write the recipe's files (`artifacts/build/NAME/`), made once per Project."""
        if recipe.name not in self._stage_outputs:
            self._stage_outputs[recipe.name] = StageOutputs.under(self.artifacts_dir / "build" / recipe.name)
        return self._stage_outputs[recipe.name]

    def conformance_files(self, recipe: Recipe) -> list[Path]:
        return sorted(p for suite in recipe.conformance
                      for p in (self.conformance_dir / suite).rglob("*") if p.is_file())
