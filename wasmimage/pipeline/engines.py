"""Engine profiles: the engines an image's .cwasm files are made for, and everything that shapes them.

A .cwasm loads only in the wasmtime major version that made it (wasmtime records just the major:
its patch releases load each other's files), with compatible settings, on a CPU that has every
feature it uses. Patch releases do change the compiled code (47.0.3 fixed two security
advisories), so a profile names the exact version its consumer runs, and only that version
compiles for it. `engines/NAME.yaml` (checked against wasmimage/schemas/engine.schema.json)
names one such engine:

  runner        this project's runtime: wasmtime-py with the runtime's one configuration
                (wasmimage/runtime/engine.py, AotConfig) and the host's CPU features. The aot
                stage always compiles for it (aot.compile_wasm); engines/runner.yaml describes it.
  wasmtime-cli  another wasmtime, at an exact version: its CLI (the toolchain `compiler` names,
                installed by tools.py) compiles with the profile's settings for its CPU baseline
                (`compile_command`), and runs the image's language suites with the same settings
                (prove.py) before the image is written.

Each image carries the runner's .cwasm and one per other profile its recipe lists under
`engines` (or, when it lists none, per profile marked `default: true`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wasmimage.errors import InvalidInput, NotFound, PipelineError
from wasmimage.pipeline.toolchain import Toolchain, host_arch, load_toolchain
from wasmimage.pipeline.validation import load_yaml

if TYPE_CHECKING:
    from wasmimage.pipeline.recipe import Recipe
    from wasmimage.pipeline.toolchain import ResolvedToolchain

_Field = TypeVar("_Field")
RUNNER = "runner"  # the kind of the runner's own profile
CLI = "wasmtime-cli"
CLI_VAR = "wasmtime"  # the variable a profile's compiler toolchain defines: the CLI binary
# The target a profile's .cwasm is compiled for, per host architecture: Linux only for now.
TRIPLES = {"x86_64": "x86_64-unknown-linux-gnu", "aarch64": "aarch64-unknown-linux-gnu"}
OPT_LEVELS = {"none": "0", "speed": "2", "speed_and_size": "s"}  # wasmtime's -O opt-level values


@dataclass(frozen=True)
class EngineSettings:
    """What a profile configures on wasmtime's Config (the names are Config's)."""

    consume_fuel: bool
    epoch_interruption: bool
    max_wasm_stack: int  # a run-time limit (not in the .cwasm), kept so the proof runs as the consumer does
    opt_level: str
    wasm_features: dict[str, bool]  # -W NAME=y|n over wasmtime's defaults

    def cli_flags(self, fuel: int) -> list[str]:
        """The wasmtime CLI flags for these settings. With fuel metering on, `fuel` is each run's
        budget; `wasmtime compile` needs the flag only to turn metering on."""
        yes_no = {True: "y", False: "n"}
        flags = ["-C", "cache=n", "-O", f"opt-level={OPT_LEVELS[self.opt_level]}",
                 "-W", f"epoch-interruption={yes_no[self.epoch_interruption]}",
                 "-W", f"max-wasm-stack={self.max_wasm_stack}"]
        if self.consume_fuel:
            flags += ["-W", f"fuel={fuel}"]
        for feature, enabled in sorted(self.wasm_features.items()):
            flags += ["-W", f"{feature}={yes_no[enabled]}"]
        return flags


@dataclass(frozen=True)
class CpuBaseline:
    """The CPU features a profile's compiled code may use on one architecture, as Cranelift ISA flags."""

    name: str  # e.g. x86-64-v2
    flags: tuple[str, ...]  # e.g. has_sse41


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    kind: str  # RUNNER | CLI
    description: str
    default: bool = False
    wasmtime: str | None = None  # CLI: the exact version
    compiler: Toolchain | None = None  # CLI: the toolchain whose `wasmtime` var is that version's CLI
    settings: EngineSettings | None = None  # CLI
    cpu: dict[str, CpuBaseline] | None = None  # CLI: host architecture -> baseline

    def _cli(self, value: _Field | None, field: str) -> _Field:
        """A field only a CLI profile has (its schema requires it there)."""
        if value is None:
            raise InvalidInput(f"{self.path}: {field}: a {self.kind} profile has none (only a {CLI} profile has)")
        return value

    @property
    def cli_compiler(self) -> Toolchain:
        return self._cli(self.compiler, "compiler")

    @property
    def cli_settings(self) -> EngineSettings:
        return self._cli(self.settings, "settings")

    def baseline(self, arch: str | None = None) -> CpuBaseline:
        arch = arch or host_arch()
        cpu = self._cli(self.cpu, "cpu")
        if arch not in cpu:
            raise NotFound(f"{self.path}: cpu: no baseline for {arch} (this machine); known: "
                           f"{', '.join(sorted(cpu))}")
        return cpu[arch]

    def identity(self, compiler: ResolvedToolchain) -> dict[str, Any]:
        """What a CLI profile's .cwasm depends on: recorded in image.json's `engines` and in its build keys."""
        baseline = self.baseline()
        return {"profile": self.name, "wasmtime": self.wasmtime, "config": asdict(self.cli_settings),
                "target": f"{host_arch()}-linux", "cpu": {"baseline": baseline.name, "flags": list(baseline.flags)},
                "compiler": {"name": compiler.name, **compiler.identity}}

    def compile_command(self, cli: str, wasm: Path, cwasm: Path) -> list[str]:
        """`wasmtime compile` for this profile: its settings, and the target with exactly the baseline's
        CPU features (an explicit --target turns Cranelift's host detection off)."""
        baseline = self.baseline()
        cpu_flags = [arg for flag in baseline.flags for arg in ("-C", f"cranelift-{flag.replace('_', '-')}")]
        return [cli, "compile", *self.cli_settings.cli_flags(fuel=0), "--target", TRIPLES[host_arch()], *cpu_flags,
                "-o", str(cwasm), str(wasm)]


def load_profile(path: Path, toolchains_dir: Path) -> Profile:
    data = load_yaml(path, "engine")
    if data["name"] != path.stem:
        raise InvalidInput(f"{path}: name: {data['name']!r} must match the file name {path.stem!r}")
    if data["kind"] == RUNNER:
        extra = [key for key in ("default", "wasmtime", "compiler", "settings", "cpu") if key in data]
        if extra:
            raise InvalidInput(f"{path}: {extra[0]}: the runner's profile takes its engine from the runtime "
                               f"(wasmimage/runtime/engine.py, AotConfig) and is always built; remove it")
        return Profile(data["name"], path, RUNNER, data["description"])
    try:
        compiler = load_toolchain(toolchains_dir, data["compiler"])
    except PipelineError as exc:  # keeps its kind: NotFound for a toolchain file that is not there
        raise type(exc)(f"{path}: compiler: {exc}") from None
    if CLI_VAR not in compiler.var_names:
        raise InvalidInput(f"{path}: compiler: {compiler.path} must define the var {CLI_VAR!r} (the CLI binary)")
    for provider in compiler.providers:
        if provider.version != data["wasmtime"]:
            raise InvalidInput(f"{path}: wasmtime: {data['wasmtime']}, but {compiler.path}'s provider "
                               f"{provider.name} installs {provider.version}: a profile's .cwasm is made by "
                               f"exactly the version it names")
    cpu = {arch: CpuBaseline(entry["baseline"], tuple(entry["flags"])) for arch, entry in data["cpu"].items()}
    return Profile(data["name"], path, CLI, data["description"], data.get("default", False), data["wasmtime"],
                   compiler, EngineSettings(**data["settings"]), cpu)


def load_profiles(engines_dir: Path, toolchains_dir: Path) -> dict[str, Profile]:
    """Every engines/*.yaml, validated (none: a project whose images carry only the runner's .cwasm).
    At most one is the runner's, which describes what is always built."""
    profiles = {p.stem: load_profile(p, toolchains_dir) for p in sorted(engines_dir.glob("*.yaml"))}
    runners = [p.name for p in profiles.values() if p.kind == RUNNER]
    if len(runners) > 1:
        raise InvalidInput(f"{engines_dir}: {', '.join(runners)}: only one profile can be of kind {RUNNER} "
                           f"(the runner's own)")
    return profiles


def for_recipe(recipe: Recipe, profiles: dict[str, Profile]) -> tuple[Profile, ...]:
    """The CLI profiles a recipe's image carries a .cwasm for: its `engines`, or every default one."""
    names = recipe.engines
    if names is None:
        return tuple(p for p in profiles.values() if p.default)
    chosen = []
    for index, name in enumerate(names):
        profile = profiles.get(name)
        if profile is None:
            raise NotFound(f"{recipe.path}: engines[{index}]: no engine profile {name!r} "
                           f"(known: {', '.join(sorted(profiles))})")
        if profile.kind == RUNNER:
            raise InvalidInput(f"{recipe.path}: engines[{index}]: {name!r} is the runner's own profile, which "
                               f"every image has; list only other engines")
        chosen.append(profile)
    return tuple(chosen)
