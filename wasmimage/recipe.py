"""Recipes: one YAML file per interpreter, validated into a Recipe before any task runs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from wasmimage.errors import PipelineError
from wasmimage.toolchain import Toolchain, load_toolchain
from wasmimage.validation import load_yaml

# Variables every build command may use besides the toolchain's own (see build.py).
STAGE_VARS = ("src", "files", "out", "flags", "build_dir", "jobs")


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # "url" | "git" | "pypi-sdist" | "cargo-vendor"
    location: str  # the URL, git URL, `name==version`, or (cargo-vendor) the source whose Cargo.lock it serves
    sha256: str | None
    commit: str | None
    filename: str
    subdir: str | None
    vendors: Source | None = None  # cargo-vendor: that source (see cargo.py)

    @property
    def pin(self) -> dict[str, Any]:
        """What identifies this source's bytes, as recorded in manifests and build keys."""
        pin = {"name": self.name, self.kind: self.location}
        if self.sha256:
            pin["sha256"] = self.sha256
        elif self.commit:
            pin["commit"] = self.commit
        return pin


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
    run: dict[str, Any]
    conformance: tuple[str, ...]
    data: dict[str, Any]  # the validated document, for hashing
    snapshot_output: str | None = None  # the reactor build the snapshot stage pre-initializes (snapshot.py)

    @property
    def tag(self) -> str:
        return f"{self.version}-r{self.revision}"

    @property
    def recipe_dir(self) -> Path:
        return self.path.parent

    def file_paths(self) -> list[Path]:
        """The project-owned files this recipe builds from (host programs, executors)."""
        paths = [self.recipe_dir / f for f in self.files]
        if "executor" in self.run:
            paths.append(self.recipe_dir / self.run["executor"])
        return paths

    @property
    def snapshot_preload(self) -> Path | None:
        """The script the snapshot stage compiles in: the executor, if the recipe has both."""
        if not self.snapshot_output or "executor" not in self.run:
            return None
        return self.recipe_dir / self.run["executor"]

    def digest(self) -> str:
        """sha256 over the recipe document and the content of its own files."""
        h = hashlib.sha256(json.dumps(self.data, sort_keys=True).encode())
        for path in self.file_paths():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()


def _default_filename(kind: str, location: str) -> str:
    if kind == "url":
        return location.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    if kind == "pypi-sdist":
        name, version = location.split("==")
        return f"{name.replace('-', '_').replace('.', '_').lower()}-{version}.tar.gz"
    return location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")


def _source(raw: dict[str, Any]) -> Source:
    kind = next(k for k in ("url", "git", "pypi-sdist", "cargo-vendor") if k in raw)
    filename = raw.get("filename") or ("" if kind == "cargo-vendor" else _default_filename(kind, raw[kind]))
    return Source(raw["name"], kind, raw[kind], raw.get("sha256"), raw.get("commit"), filename, raw.get("subdir"))


def _link_cargo_vendor(path: Path, sources: tuple[Source, ...]) -> tuple[Source, ...]:
    """Point each cargo-vendor source at the earlier source whose Cargo.lock it serves."""
    linked: list[Source] = []
    for index, source in enumerate(sources):
        if source.kind == "cargo-vendor":
            owner = next((s for s in linked if s.name == source.location and s.kind != "cargo-vendor"), None)
            if owner is None:
                raise PipelineError(f"{path}: sources[{index}].cargo-vendor: {source.location!r} must name an "
                                    f"earlier git, url or pypi-sdist source (the one whose Cargo.lock it serves)")
            filename = source.filename or f"{owner.name}-{owner.commit or owner.sha256}-vendor.tar.gz"
            source = dataclasses.replace(source, filename=filename, vendors=owner)
        linked.append(source)
    return tuple(linked)


def _check_templates(path: Path, commands: list[str], allowed: set[str], source_names: tuple[str, ...] = ()) -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for index, command in enumerate(commands):
        where = f"{path}: build.commands[{index}]"
        try:
            tree = env.parse(command)
        except jinja2.TemplateSyntaxError as exc:
            raise PipelineError(f"{where}: template error: {exc.message} (line {exc.lineno} of the command)") \
                from None
        used = jinja2.meta.find_undeclared_variables(tree)
        unknown = sorted(used - allowed)
        if unknown:
            raise PipelineError(f"{where}: unknown template variable {', '.join(unknown)} "
                                f"(known: {', '.join(sorted(allowed))})")
        # `src.NAME` / `src['NAME']` must name a source, or the build would fail only when it runs
        for node in tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem)):
            if not (isinstance(node.node, jinja2.nodes.Name) and node.node.name == "src"):
                continue
            name = node.attr if isinstance(node, jinja2.nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(name, str) and name not in source_names:
                raise PipelineError(f"{where}: src.{name} is not a source of this recipe "
                                    f"(its sources are: {', '.join(source_names) or 'none'})")


def load_recipe(path: Path, toolchains_dir: Path, conformance_dir: Path) -> Recipe:
    data = load_yaml(path, "recipe")
    if data["name"] != path.stem:
        raise PipelineError(f"{path}: name: {data['name']!r} must match the file name {path.stem!r}")
    sources = tuple(_source(s) for s in data["sources"])
    seen: set[str] = set()
    for index, source in enumerate(sources):
        if source.name in seen:
            raise PipelineError(f"{path}: sources[{index}].name: {source.name!r} is used twice")
        seen.add(source.name)
    sources = _link_cargo_vendor(path, sources)
    try:
        toolchain = load_toolchain(toolchains_dir, data["toolchain"])
    except PipelineError as exc:
        raise PipelineError(f"{path}: toolchain: {exc}") from None
    _check_templates(path, data["build"]["commands"], set(STAGE_VARS) | set(toolchain.var_names),
                     tuple(s.name for s in sources))
    for field in ("files", "conformance"):
        for index, rel in enumerate(data.get(field, [])):
            base = path.parent if field == "files" else conformance_dir
            if not (base / rel).exists():
                raise PipelineError(f"{path}: {field}[{index}]: {base / rel} does not exist")
    executor = data["run"].get("executor")
    if executor and not (path.parent / executor).is_file():
        raise PipelineError(f"{path}: run.executor: {path.parent / executor} does not exist")
    build = data["build"]
    return Recipe(
        name=data["name"], version=data["version"], revision=data["revision"], language=data["language"],
        path=path, sources=sources, files=tuple(data.get("files", [])), toolchain=toolchain,
        flags=tuple(build.get("flags", [])), build_env=dict(build.get("env", {})),
        commands=tuple(build["commands"]), output=data["output"], run=data["run"],
        conformance=tuple(data["conformance"]), data=data,
        snapshot_output=data.get("snapshot", {}).get("output"),
    )


def load_recipes(recipes_dir: Path, toolchains_dir: Path, conformance_dir: Path) -> list[Recipe]:
    """Every recipes/*.yaml, validated; the first problem stops everything."""
    recipes = [load_recipe(p, toolchains_dir, conformance_dir) for p in sorted(recipes_dir.glob("*.yaml"))]
    if not recipes:
        raise PipelineError(f"{recipes_dir}: no recipes (*.yaml) found")
    return recipes
