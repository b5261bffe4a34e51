"""The cargo-vendor kind: the crates an earlier source's Cargo.lock pins, as one vendor archive.

    sources:
      - {name: rustpython, crate: rustpython==0.6.0, sha256: ...}
      - {name: crates, cargo-vendor: rustpython}

The archive (cargo.py describes its format) is cached as `cargo-vendor/<filename>` and taken
from a mirror's `<filename>` (by default `<source>-<commit or sha256>-vendor.tar.gz`) or, when
no mirror has it, made by `cargo vendor` on the fetched source (the machine's cargo
configuration, registry mirrors included, applies). Either way it is checked against the
Cargo.lock before it is kept, so it is tied to the pinned source even without a `sha256:`;
that pin, over the uncompressed tar, ties it further. The build stage then finishes the
unpacked tree (cargo.prepare).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wasmimage import files
from wasmimage.errors import InvalidInput, PipelineError, Tampered, Unavailable
from wasmimage.sources import cargo
from wasmimage.sources.base import PARTIAL, Context, Entry, Kind, Releases, SbomFacts, Source, Way, from_entry

KEY = "cargo-vendor"


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    """`cargo-vendor: SOURCE`, linked to that earlier source (`vendors`), its archive named after it."""
    source = from_entry(KEY, entry, "")
    owner = next((s for s in earlier if s.name == source.location and s.kind != KEY), None)
    if owner is None:
        raise InvalidInput(f"{where}.{KEY}: {source.location!r} must name an earlier source that is not a "
                           f"{KEY} (the one whose Cargo.lock it serves)")
    filename = source.filename or f"{owner.name}-{owner.commit or owner.sha256}-vendor.tar.gz"
    return dataclasses.replace(source, filename=filename, vendors=owner)

def cache_name(source: Source) -> str:
    return f"cargo-vendor/{source.filename}"


def reuse(source: Source, cached: Path) -> bool:
    """A cached archive was checked against the lock when it was stored; a pin is checked again."""
    return not source.sha256 or cargo.tar_digest(cached) == source.sha256


def _owner(source: Source) -> Source:
    """The source whose Cargo.lock this one vendors (recipe.py links it)."""
    if source.vendors is None:
        raise InvalidInput(f"{source.name}: cargo-vendor: {source.location!r} names no earlier source")
    return source.vendors


def locked_packages(source: Source, ctx: Context) -> list[cargo.LockedPackage]:
    """The packages of the Cargo.lock this source serves, read from its owner's fetched bytes."""
    owner = _owner(source)
    if ctx.cached(owner) is None:
        raise Unavailable(f"{source.name}: the crates {owner.name}'s Cargo.lock pins ({source.filename}) cannot be "
                          f"checked, fetched or vendored before {owner.name} itself is fetched")
    inner = f"{owner.subdir.rstrip('/')}/Cargo.lock" if owner.subdir else "Cargo.lock"
    text = ctx.read(owner, inner)
    if text is None:
        raise InvalidInput(f"{owner.name}: has no {inner}, so there are no pinned crates to vendor")
    return cargo.parse_lock(text.decode(), f"{owner.name}/Cargo.lock")


def check(source: Source, archive: Path, origin: str, ctx: Context) -> None:
    cargo.check_archive(archive, locked_packages(source, ctx), source.sha256, where=origin)


def upstream(source: Source, ctx: Context) -> list[Way]:
    def vendor(tmp: Path) -> str:
        packages = locked_packages(source, ctx)
        owner = _owner(source)
        binary, env = cargo.command_for(ctx.toolchain, ctx.settings.vendor_cargo)
        try:
            with files.owned_temp(tmp.parent, PARTIAL, is_dir=True) as work:
                (work / "src").mkdir()
                ctx.unpack(owner, work / "src" / owner.name)
                digest = cargo.make_archive(work / "src" / owner.name, tmp, binary, env)
        except PipelineError as exc:
            raise type(exc)(f"{source.name}: cannot vendor the {len(cargo.vendored_packages(packages))} packages "
                            f"{owner.name}'s Cargo.lock pins ({source.filename}) with {binary}:\n  {exc}") from None
        if source.sha256 and digest != source.sha256:
            raise Tampered(f"{source.name}: the vendored crates' tar has sha256 {digest}, the recipe pins "
                           f"{source.sha256} (another cargo version vendors differently?)")
        return f"`cargo vendor` ({binary}; tar sha256 {digest})"

    return [Way(vendor)]


def to_mirror(source: Source, cached: Path, dest: Path) -> str:
    files.copy(cached, dest)
    digest = cargo.tar_digest(dest)
    return f"{dest} (uncompressed tar sha256 {digest}" + (
        ")" if source.sha256 else f"; pin it in the recipe with `sha256: {digest}`)")


def recorded_pin(source: Source, cached: Path) -> dict[str, Any]:
    """What it serves, and the digest really used (pinned or not)."""
    return {**source.pin, "sha256": cargo.tar_digest(cached), "pinned": bool(source.sha256)}


def sbom(pin: Entry) -> SbomFacts:
    return SbomFacts(properties=(("wasmimage:cargo-vendor-of", pin[KEY]),
                                 ("wasmimage:sha256-of", "uncompressed vendor tar")))


def releases(source: Source) -> Releases:
    """The vendored crates are the ones its source's Cargo.lock pins: they move with that pin."""
    return Releases(f"the crates {source.location}'s Cargo.lock pins",
                    no_channel=f"follows {source.location}'s Cargo.lock: vendor again when that pin moves")


KIND = Kind(KEY, upstream, parse=parse, cache_name=cache_name, reuse=reuse, check=check, to_mirror=to_mirror,
            recorded_pin=recorded_pin, sbom=sbom, prepare=cargo.prepare, releases=releases,
            docs="docs/rust.md describes vendored crates.")
