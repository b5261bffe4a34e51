"""The one place a source kind is chosen: the recipe key -> its Kind.

A Source knows its kind by key (`kind_of`); a recipe's entry or a recorded pin by the field it
has (`named_in`). A recipe's entry becomes a Source through its kind (`source_of`).
"""

from __future__ import annotations

from collections.abc import Sequence

from wasmimage.errors import InvalidInput
from wasmimage.sources import cargo_vendor, crate, debian_source, git, pypi_sdist, pypi_wheel, url
from wasmimage.sources.base import Entry, Kind, Source

KINDS: dict[str, Kind] = {kind.key: kind for kind in (url.KIND, git.KIND, pypi_sdist.KIND, crate.KIND,
                                                      cargo_vendor.KIND, debian_source.KIND, pypi_wheel.KIND)}


def kind_of(source: Source) -> Kind:
    try:
        return KINDS[source.kind]
    except KeyError:
        raise InvalidInput(f"{source.name}: unknown source kind {source.kind!r} "
                           f"(known: {', '.join(KINDS)})") from None


def named_in(fields: Entry) -> Kind | None:
    """The kind of a recipe's source entry or of a recorded pin: the one whose field it has, besides
    only fields of the kinds it may also hold (a url's `debian-source`); None when there is none."""
    keys = [key for key in KINDS if key in fields]
    return next((KINDS[key] for key in keys if set(keys) <= {key, *KINDS[key].also}), None)


def source_of(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    """A recipe's `sources:` entry (the schema checked it) as a Source, given the entries before it."""
    kind = named_in(entry)
    if kind is None or kind.parse is None:
        raise InvalidInput(f"{where}: names no source kind a recipe can use "
                           f"(one of: {', '.join(key for key, kind in KINDS.items() if kind.parse)})")
    return kind.parse(entry, earlier, where)
