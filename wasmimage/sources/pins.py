"""A recorded source pin (image.json's `sources`) as one location: its URL, or a package URL.

The OCI annotation publish writes, `inspect`'s listing and the provenance's resolved
dependencies all name a pin's origin the same way, from here: its kind's `origin`.
"""

from __future__ import annotations

from typing import Any

from wasmimage.sources.table import named_in


def location(pin: dict[str, Any]) -> str | None:
    """pkg:pypi/... or pkg:cargo/... for registry packages, the URL or git URL, pkg:deb/... for a
    Debian source package; None for an archive derived from other pins (cargo-vendor), or a pin
    of no kind known here."""
    kind = named_in(pin)
    return kind.origin(pin) if kind else None
