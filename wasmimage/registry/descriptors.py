"""What the OCI specs fix and every registry module shares: media types, annotation keys, blob
descriptors and the digest rule; and the bounds on what a pull reads. Standard library only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from wasmimage.errors import InvalidInput

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
IMAGES_ROOT = "opt/wasm-images"  # inside the layer, without the leading slash (tar convention)
REF_NAME = "org.opencontainers.image.ref.name"
TITLE = "org.opencontainers.image.title"
MANIFEST_SHA256 = "io.wasmimage.manifest.sha256"
CHUNK = 1 << 20
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class PullLimits:
    """Bounds on what a pull reads; a wasm image is tens of MiB, these are far above that."""

    manifest_bytes: int = 4 << 20  # the manifest size registries must accept (distribution spec)
    config_bytes: int = 4 << 20
    layer_bytes: int = 512 << 20  # compressed, as declared and as received
    unpacked_bytes: int = 512 << 20  # the layer once gunzipped (a gzip bomb stops here)
    tar_entries: int = 64  # an image is a few files and three directories
    error_body_bytes: int = 64 << 10  # of a registry's error answer, for the message


LIMITS = PullLimits()


def is_digest(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and DIGEST.match(value) is not None


@dataclass(frozen=True)
class Blob:
    media_type: str
    digest: str
    size: int

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


def blob_path(root: Path, digest: str) -> Path:
    """Where an OCI layout (or the pull cache) keeps a blob."""
    if not is_digest(digest):
        raise InvalidInput(f"{digest!r} is not a sha256 digest")
    return root / "blobs" / "sha256" / digest.removeprefix("sha256:")
