"""The crate registry: every published version of a crate, read with cargo's sparse index protocol.

The index is $WASMIMAGE_CRATE_INDEX, else the sparse registry cargo's own configuration puts
in crates-io's place (`[source.crates-io] replace-with = NAME` and `[source.NAME] registry =
"sparse+URL"`, or `[registries.NAME] index`, in $CARGO_HOME/config.toml or a
.cargo/config.toml in the project or above it). This project never writes a registry's host
name, so with neither the registry is not asked. `INDEX/config.json` shows it is an index;
`INDEX/<prefix>/<name>` holds one JSON line per published version (`vers`, `cksum`, `yanked`).

Versions are semver; yanked ones are not offered, pre-releases only to a pre-release pin.
The index also has the pinned version's checksum, which must be the recipe's sha256. The
registry says nothing of security releases.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from wasmimage.errors import InvalidInput, NotFound, PipelineError, Unavailable
from wasmimage.pipeline.outdated.base import Answer, Context, Result, read
from wasmimage.pipeline.outdated.versions import semver

NAME = "the crate registry"
CRATE_INDEX_ENV = "WASMIMAGE_CRATE_INDEX"  # named in messages; wasmimage/settings.py reads it


@dataclass(frozen=True)
class CrateQuery:
    name: str
    version: str
    sha256: str | None


def index_path(name: str) -> str:
    """Where the sparse index keeps a crate's file (cargo's layout: 1/a, 2/ab, 3/a/abc, ab/cd/abcd...)."""
    lower = name.lower()
    if len(lower) <= 2:
        return f"{len(lower)}/{lower}"
    if len(lower) == 3:
        return f"3/{lower[0]}/{lower}"
    return f"{lower[:2]}/{lower[2:4]}/{lower}"


def _config_files(start: Path) -> list[Path]:
    """cargo's configuration files, most specific first: .cargo/ in start and each parent, then $CARGO_HOME."""
    home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    directories = dict.fromkeys([*(d / ".cargo" for d in (start, *start.parents)), home])
    return [d / name for d in directories for name in ("config.toml", "config") if (d / name).is_file()]


def configured_index(explicit: str | None, start: Path) -> str:
    """The sparse index URL to read: `explicit` ($WASMIMAGE_CRATE_INDEX), else cargo's replacement for crates-io."""
    if explicit:
        return explicit.removeprefix("sparse+")
    sources: dict[str, dict] = {}
    registries: dict[str, dict] = {}
    for path in reversed(_config_files(start)):  # the more specific file wins, as in cargo
        try:
            config = tomllib.loads(path.read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"{path}: cargo's configuration cannot be read: {exc}") from None
        for table, merged in (("source", sources), ("registries", registries)):
            for name, entry in config.get(table, {}).items():
                merged.setdefault(name, {}).update(entry if isinstance(entry, dict) else {})
    name, seen = "crates-io", set()
    while isinstance(sources.get(name, {}).get("replace-with"), str) and name not in seen:
        seen.add(name)
        name = sources[name]["replace-with"]
    if not seen:
        raise Unavailable(f"not asked: cargo's configuration puts no registry in crates-io's place "
                          f"([source.crates-io] replace-with) and {CRATE_INDEX_ENV} is not set (this project never "
                          f"writes a registry's host name); set {CRATE_INDEX_ENV}=sparse+URL")
    location = sources.get(name, {}).get("registry") or registries.get(name, {}).get("index")
    if not (isinstance(location, str) and location.startswith("sparse+")):
        raise Unavailable(f"not asked: cargo's configuration replaces crates-io with {name} "
                          f"({location or 'not a registry'}), which is not a sparse index (sparse+URL); "
                          f"set {CRATE_INDEX_ENV}=sparse+URL")
    return location.removeprefix("sparse+")


def ask(queries: list[CrateQuery], context: Context) -> Result:
    index = configured_index(context.crate_index, context.root).rstrip("/") + "/"
    try:
        config = json.loads(read(index + "config.json", context.fetch))
    except NotFound:
        raise Unavailable(f"{index}config.json is not there: {index} is not a sparse registry index") from None
    except ValueError:
        raise Unavailable(f"{index}config.json is not JSON: {index} is not a sparse registry index") from None
    if not isinstance(config, dict) or "dl" not in config:
        raise Unavailable(f"{index}config.json names no `dl`: {index} is not a sparse registry index")
    results: Result = {}
    for query in queries:
        try:
            results[query] = _answer(query, read(index + index_path(query.name), context.fetch))
        except NotFound:
            results[query] = NotFound(f"{query.name} is not in the registry index {index}")
        except PipelineError as exc:
            results[query] = exc
    return results


def _answer(query: CrateQuery, data: bytes) -> Answer | PipelineError:
    pinned = semver(query.version)
    if pinned is None:
        return InvalidInput(f"{query.version!r} is not a semver version")
    try:
        entries = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
    except ValueError as exc:
        return Unavailable(f"the index file of {query.name} is not JSON lines: {exc}")
    offered, notes = [], []
    for entry in entries:
        version = semver(str(entry.get("vers", "")))
        if version is None:
            continue
        if version.text == query.version:
            if entry.get("yanked"):
                notes.append(f"{query.version} is yanked")
            if query.sha256 and entry.get("cksum") != query.sha256:
                notes.append(f"the index's checksum of {query.version} is {entry.get('cksum')}, "
                             f"the recipe pins {query.sha256}")
        if not entry.get("yanked") and (pinned.prerelease or not version.prerelease):
            offered.append(version)
    if not any(entry.get("vers") == query.version for entry in entries):
        notes.append(f"{query.version} is not in the index")
    return Answer(pinned, tuple(offered), notes=tuple(notes))
