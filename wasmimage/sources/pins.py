"""A recorded source pin (image.json's `sources`) as one location: its URL, or a package URL.

The OCI annotation publish writes, `inspect`'s listing and the provenance's resolved
dependencies all name a pin's origin the same way, from here.
"""

from __future__ import annotations

from typing import Any

from wasmimage.sources import debian_source


def location(pin: dict[str, Any]) -> str | None:
    """pkg:pypi/... or pkg:cargo/... for registry packages, the URL or git URL, pkg:deb/... for a
    Debian source package; None for an archive derived from other pins (cargo-vendor)."""
    for key, ecosystem in (("pypi-sdist", "pypi"), ("crate", "cargo")):
        if key in pin:
            name, _, version = pin[key].partition("==")
            return f"pkg:{ecosystem}/{name}@{version}"
    if pin.get("url") or pin.get("git"):
        return pin.get("url") or pin["git"]
    if "debian-source" in pin:
        return debian_source.purl(pin["debian-source"])
    return None
