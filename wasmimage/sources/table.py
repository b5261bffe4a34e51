"""The one place a source kind is chosen: the recipe key -> its Kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmimage.errors import InvalidInput
from wasmimage.sources import cargo_vendor, crate, debian_source, git, pypi_sdist, pypi_wheel, url
from wasmimage.sources.base import Kind

if TYPE_CHECKING:
    from wasmimage.recipe import Source

KINDS: dict[str, Kind] = {kind.key: kind for kind in (url.KIND, git.KIND, pypi_sdist.KIND, crate.KIND,
                                                      cargo_vendor.KIND, debian_source.KIND, pypi_wheel.KIND)}


def kind_of(source: Source) -> Kind:
    try:
        return KINDS[source.kind]
    except KeyError:
        raise InvalidInput(f"{source.name}: unknown source kind {source.kind!r} "
                           f"(known: {', '.join(KINDS)})") from None
