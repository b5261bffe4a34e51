"""The url kind: one file at an http(s) URL, pinned by its sha256.

With a `debian-source` beside the url, Debian's archive is asked first (where apt works it is
the nearer copy of the same bytes), then the url.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from wasmimage.sources import debian_source
from wasmimage.sources.base import Context, Entry, Kind, Releases, SbomFacts, Source, Way, from_entry, last_part

KEY = "url"


def filename(location: str) -> str:
    """The file a URL names: its last path part, without a query."""
    return last_part(location).split("?")[0]


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    return from_entry(KEY, entry, filename(entry[KEY]))


def of_file(name: str, location: str, sha256: str) -> Source:
    """A file that no recipe names but that is fetched like one (a toolchain's release archive)."""
    return Source(name, KEY, location, sha256, None, filename(location), None)


def upstream(source: Source, ctx: Context) -> list[Way]:
    return [*([debian_source.way(source, ctx.settings.debian_archives)] if source.debian else []),
            Way(lambda tmp: ctx.download(source.location, tmp))]


def sbom(pin: Entry) -> SbomFacts:
    also = (debian_source.sbom_property(pin["debian-source"]),) if "debian-source" in pin else ()
    return SbomFacts(distribution=pin[KEY], properties=also)


def releases(source: Source) -> Releases:
    """A plain URL lists no releases; the same bytes in a Debian source package are asked of Debian."""
    if source.debian:
        return dataclasses.replace(debian_source.releases(source), via=debian_source.KEY)
    return Releases(source.filename, no_channel="a plain URL: no machine-readable list of releases")


KIND = Kind(KEY, upstream, parse=parse, also=(debian_source.KEY,), origin=lambda pin: pin[KEY], sbom=sbom,
            releases=releases)
