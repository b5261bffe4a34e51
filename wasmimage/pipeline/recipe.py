"""Recipes: one YAML file per interpreter, validated into a Recipe before any task runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from wasmimage.digests import sha256_chunks, spaced_json
from wasmimage.errors import InvalidInput, NotFound, PipelineError
from wasmimage.pipeline import image_files
from wasmimage.pipeline.toolchain import Toolchain, load_toolchain
from wasmimage.pipeline.validation import load_yaml
from wasmimage.runtime.protocols import PROTOCOLS, of_suite
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.sources.base import Source
from wasmimage.sources.table import source_of

# Variables every build command may use besides the toolchain's own (see build.py).
STAGE_VARS = ("src", "files", "out", "flags", "build_dir", "jobs")


@dataclass(frozen=True)
class Recipe:
    name: str
    version: str
    revision: int
    language: str
    path: Path
    sources: tuple[Source, ...]
    files: tuple[str, ...]
    toolchain: Toolchain
    flags: tuple[str, ...]
    build_env: dict[str, str]
    commands: tuple[str, ...]
    output: str
    run: RunSpec  # without executor and protocols (see `protocols`)
    conformance: tuple[str, ...]
    data: dict[str, Any]  # the validated document, for hashing
    snapshot_output: str | None = None  # the reactor build the snapshot stage pre-initializes (snapshot.py)
    engines: tuple[str, ...] | None = None  # the engine profiles besides the runner's (None: the defaults; engines.py)

    @property
    def tag(self) -> str:
        return f"{self.version}-r{self.revision}"

    @property
    def recipe_dir(self) -> Path:
        return self.path.parent

    @property
    def protocols(self) -> dict[str, Path]:
        """Each protocol the image speaks (runtime/protocols.py) -> its executor script."""
        declared = self.data["run"].get("protocols", {})
        return {name: self.recipe_dir / script for name, script in sorted(declared.items())}

    def build_file_paths(self) -> list[Path]:
        """The project-owned files the build commands use (`files`: host programs, patches, crates)."""
        return [self.recipe_dir / f for f in self.files]

    def file_paths(self) -> list[Path]:
        """Every project-owned file of the image: the build's, and the protocols' executors (which
        the image ships beside the interpreter, never compiles into it)."""
        return self.build_file_paths() + list(self.protocols.values())

    @property
    def mounted_files(self) -> tuple[str, ...]:
        """Files the build leaves in out/ beside the output that the image ships and grants the guest (run.mounts)."""
        return self.run.mounted_files

    @property
    def snapshot_preloads(self) -> tuple[Path, ...]:
        """The scripts the snapshot stage prepares (snapshot_abi.PRELOAD), into slots in this order:
        every protocol's executor, by protocol name, each once; none without a snapshot."""
        if not self.snapshot_output:
            return ()
        return tuple(dict.fromkeys(self.protocols[name] for name in sorted(self.protocols)))

    @property
    def language_suites(self) -> tuple[str, ...]:
        """The suites that run scripts (javascript, python, ...): not a protocol's and not the hostile ones."""
        return tuple(s for s in self.conformance if not s.startswith("hostile/") and of_suite(s) is None)

    def digest(self) -> str:
        """sha256 over the recipe document and the content of the files its build uses (part of the
        compile key). The executors are not among them: an executor changed reruns the snapshot,
        verify and image stages, not the interpreter's compile (snapshot_key, verify_key).

        The document is hashed as digests.spaced_json, the layout this digest was defined with.
        `engines` is left out: it chooses what the aot stage compiles for, never the .wasm.
        """
        document = spaced_json({k: v for k, v in self.data.items() if k != "engines"})
        return sha256_chunks([document, *(path.name.encode() + b"\0" + path.read_bytes()
                                         for path in self.build_file_paths())])


def _sources(path: Path, entries: list[dict[str, Any]]) -> tuple[Source, ...]:
    """Each `sources:` entry as its kind reads it (sources/table.py), given the entries before it."""
    sources: list[Source] = []
    for index, entry in enumerate(entries):
        where = f"{path}: sources[{index}]"
        if any(s.name == entry["name"] for s in sources):
            raise InvalidInput(f"{where}.name: {entry['name']!r} is used twice")
        sources.append(source_of(entry, sources, where))
    return tuple(sources)


def _check_templates(path: Path, commands: list[str], allowed: set[str], source_names: tuple[str, ...] = ()) -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for index, command in enumerate(commands):
        where = f"{path}: build.commands[{index}]"
        try:
            tree = env.parse(command)
        except jinja2.TemplateSyntaxError as exc:
            raise InvalidInput(f"{where}: template error: {exc.message} (line {exc.lineno} of the command)") \
                from None
        used = jinja2.meta.find_undeclared_variables(tree)
        unknown = sorted(used - allowed)
        if unknown:
            raise InvalidInput(f"{where}: unknown template variable {', '.join(unknown)} "
                               f"(known: {', '.join(sorted(allowed))})")
        # `src.NAME` / `src['NAME']` must name a source, or the build would fail only when it runs
        for node in tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem)):
            assert isinstance(node, (jinja2.nodes.Getattr, jinja2.nodes.Getitem))  # what find_all looked for
            if not (isinstance(node.node, jinja2.nodes.Name) and node.node.name == "src"):
                continue
            name = node.attr if isinstance(node, jinja2.nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(name, str) and name not in source_names:
                raise InvalidInput(f"{where}: src.{name} is not a source of this recipe "
                                   f"(its sources are: {', '.join(source_names) or 'none'})")


def _check_protocols(path: Path, run: dict[str, Any], conformance: list[str]) -> None:
    """Every executor exists, file names don't collide, and a protocol's suite is run iff it is declared."""
    if "executor" in run:  # the schema would only say "unexpected"; say what replaced it
        raise InvalidInput(f"{path}: run.executor: retired; write it as run.protocols.call: {run['executor']}")
    protocols = run.get("protocols", {})
    scripts = {f"run.protocols.{name}": script for name, script in protocols.items()}
    for field, script in scripts.items():
        if not (path.parent / script).is_file():
            raise NotFound(f"{path}: {field}: {path.parent / script} does not exist")
    names = [Path(script).name for script in scripts.values()]
    if len(set(names)) != len(names):
        raise InvalidInput(f"{path}: run: two executors share a file name ({', '.join(sorted(names))}); "
                           f"the image holds them side by side")
    for protocol in PROTOCOLS.values():
        suites = [s for s in conformance if s.startswith(protocol.suite_prefix)]
        if suites and protocol.name not in protocols:
            raise InvalidInput(f"{path}: conformance: {suites[0]} tests the {protocol.name} protocol, "
                               f"which run.protocols does not declare")
        if protocol.suite_required and protocol.name in protocols and not suites:
            raise InvalidInput(f"{path}: run.protocols.{protocol.name}: list its suite in conformance "
                               f"(e.g. {protocol.suite_prefix}javascript)")


def _check_mounts(path: Path, data: dict[str, Any]) -> None:
    """Mounted files sit beside the interpreter in the image: one name, one file, none of the image's
    own (image_files.py) and none of its protocol executors'."""
    executors = {Path(script).name for script in data["run"].get("protocols", {}).values()}
    seen: set[str] = set()
    for guest, names in data["run"].get("mounts", {}).items():
        for name in names:
            if name in seen or image_files.reserved(name, data["name"]) or name in executors or name == data["output"]:
                raise InvalidInput(f"{path}: run.mounts[{guest!r}]: {name!r} is mounted twice or is a name the "
                                   f"image uses for itself ({', '.join(sorted(image_files.FIXED))}, "
                                   f"{data['name']}[-snapshot].wasm/.cwasm, {data['name']}.PROFILE.cwasm, "
                                   f"the executors, the output)")
            seen.add(name)


def load_recipe(path: Path, toolchains_dir: Path, conformance_dir: Path) -> Recipe:
    data = load_yaml(path, "recipe")
    if data["name"] != path.stem:
        raise InvalidInput(f"{path}: name: {data['name']!r} must match the file name {path.stem!r}")
    sources = _sources(path, data["sources"])
    try:
        toolchain = load_toolchain(toolchains_dir, data["toolchain"])
    except PipelineError as exc:
        raise type(exc)(f"{path}: toolchain: {exc}") from None
    _check_templates(path, data["build"]["commands"], set(STAGE_VARS) | set(toolchain.var_names),
                     tuple(s.name for s in sources))
    for field in ("files", "conformance"):
        for index, rel in enumerate(data.get(field, [])):
            base = path.parent if field == "files" else conformance_dir
            if not (base / rel).exists():
                raise NotFound(f"{path}: {field}[{index}]: {base / rel} does not exist")
    _check_protocols(path, data["run"], data["conformance"])
    _check_mounts(path, data)
    build = data["build"]
    return Recipe(
        name=data["name"], version=data["version"], revision=data["revision"], language=data["language"],
        path=path, sources=sources, files=tuple(data.get("files", [])), toolchain=toolchain,
        flags=tuple(build.get("flags", [])), build_env=dict(build.get("env", {})),
        commands=tuple(build["commands"]), output=data["output"], run=RunSpec.from_section(data["run"]),
        conformance=tuple(data["conformance"]), data=data,
        snapshot_output=data.get("snapshot", {}).get("output"),
        engines=tuple(data["engines"]) if "engines" in data else None,
    )


def load_recipes(recipes_dir: Path, toolchains_dir: Path, conformance_dir: Path) -> list[Recipe]:
    """Every recipes/*.yaml, validated; the first problem stops everything."""
    recipes = [load_recipe(p, toolchains_dir, conformance_dir) for p in sorted(recipes_dir.glob("*.yaml"))]
    if not recipes:
        raise NotFound(f"{recipes_dir}: no recipes (*.yaml) found")
    return recipes
