"""The url kind: one file at an http(s) URL, pinned by its sha256.

With a `debian-source` beside the url, Debian's archive is asked first (where apt works it is
the nearer copy of the same bytes), then the url.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmimage.sources import debian_source
from wasmimage.sources.base import Context, Kind, Way

if TYPE_CHECKING:
    from wasmimage.recipe import Source


def upstream(source: Source, ctx: Context) -> list[Way]:
    return [*([debian_source.way(source, ctx.settings.debian_archives)] if source.debian else []),
            Way(lambda tmp: ctx.download(source.location, tmp))]


KIND = Kind("url", upstream)
