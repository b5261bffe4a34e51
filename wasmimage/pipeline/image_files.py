"""The names of the files an image directory holds for itself, in one place: image.py names what
it writes with them, and recipe.py keeps a recipe's mounted files from taking one (a file mounted
as `sbom.cdx.json` would have been overwritten by the SBOM)."""

from __future__ import annotations

from wasmimage.runtime.image import MANIFEST
from wasmimage.runtime.signatures import SIGNATURE

REPORT = "conformance-report.json"
SBOM = "sbom.cdx.json"
PROVENANCE = "provenance.intoto.json"
FIXED = frozenset({MANIFEST, SIGNATURE, REPORT, SBOM, PROVENANCE})


def wasm(recipe: str) -> str:
    return f"{recipe}.wasm"


def cwasm(recipe: str) -> str:
    return f"{recipe}.cwasm"


def snapshot_wasm(recipe: str) -> str:
    return f"{recipe}-snapshot.wasm"


def snapshot_cwasm(recipe: str) -> str:
    return f"{recipe}-snapshot.cwasm"


def engine_cwasm(recipe: str, profile: str) -> str:
    """An engine profile's .cwasm (engines/*.yaml): any RECIPE.PROFILE.cwasm is taken."""
    return f"{recipe}.{profile}.cwasm"


def reserved(name: str, recipe: str) -> bool:
    """Is `name` one an image of `recipe` may write for itself (whatever its profiles and snapshot)?"""
    return (name in FIXED or name in {wasm(recipe), cwasm(recipe), snapshot_wasm(recipe), snapshot_cwasm(recipe)}
            or (name.startswith(f"{recipe}.") and name.endswith(".cwasm")))
