"""An image's SBOM and provenance in a registry: OCI 1.1 referrers of the image manifest.

Each is an artifact manifest (artifactType = its media type, the empty config, one layer: the
file) whose `subject` is the image manifest. Referrers rather than more layers: the image's
digest must stay the same for the same inputs, and the provenance carries the build's times;
a referrer is attached to an existing image without changing it, and it is what registries,
`oras discover` and signing tools look for. (The SBOM is also inside the layer, as a file of
the image directory; the referrer makes it visible without pulling the layer.)

Registries without the referrers API (CNCF distribution 2.x, Debian's docker-registry) get
the spec's fallback as well: an image index tagged `sha256-<hex of the image manifest>`
listing the referrers; this module adds to it and never drops what others put there.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wasmimage import log
from wasmimage.digests import canonical_json, sha256_digest
from wasmimage.errors import InvalidInput
from wasmimage.pipeline import provenance, sbom
from wasmimage.registry.client import RegistryClient
from wasmimage.registry.descriptors import INDEX_TYPE, MANIFEST_TYPE, TITLE, Blob

EMPTY_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_DATA = b"{}"
EMPTY = Blob(EMPTY_TYPE, sha256_digest(EMPTY_DATA), len(EMPTY_DATA))


@dataclass(frozen=True)
class Referrer:
    """One artifact manifest about an image, and the file it carries."""

    file: Path
    blob: Blob  # the file as a layer
    manifest: bytes

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)

    @property
    def artifact_type(self) -> str:
        return self.blob.media_type

    def descriptor(self) -> dict:
        return {"mediaType": MANIFEST_TYPE, "digest": self.digest, "size": len(self.manifest),
                "artifactType": self.artifact_type,
                "annotations": {TITLE: self.file.name}}


def referrers(image_dir: Path, subject: Blob) -> list[Referrer]:
    """The SBOM and provenance found in image_dir, as referrers of `subject` (the image manifest)."""
    found = []
    for name, media_type in ((sbom.FILE_NAME, sbom.MEDIA_TYPE), (provenance.FILE_NAME, provenance.MEDIA_TYPE)):
        path = image_dir / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        blob = Blob(media_type, sha256_digest(data), len(data))
        manifest = canonical_json({
            "schemaVersion": 2, "mediaType": MANIFEST_TYPE, "artifactType": media_type,
            "config": EMPTY.descriptor(),
            "layers": [{**blob.descriptor(), "annotations": {TITLE: name}}],
            "subject": subject.descriptor(),
        })
        found.append(Referrer(path, blob, manifest))
    return found


def fallback_tag(subject_digest: str) -> str:
    """The referrers tag schema: sha256:<hex> -> sha256-<hex>."""
    return subject_digest.replace(":", "-")


def push(client: RegistryClient, repository: str, subject: Blob, image_dir: Path) -> list[Referrer]:
    """Push each referrer (blobs, then its manifest by digest) and list it in the fallback index."""
    found = referrers(image_dir, subject)
    if not found:
        return []
    with tempfile.TemporaryDirectory() as scratch:
        empty_path = Path(scratch) / "empty.json"
        empty_path.write_bytes(EMPTY_DATA)
        client.push_blob(repository, EMPTY, empty_path)
    for referrer in found:
        client.push_blob(repository, referrer.blob, referrer.file)
        client.put_manifest(repository, referrer.digest, referrer.manifest)
    tag = fallback_tag(subject.digest)
    existing = client.manifest(repository, tag)
    try:
        index = json.loads(existing) if existing else {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": []}
    except ValueError:
        index = None
    if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
        raise InvalidInput(f"{repository}:{tag}: not a referrers index; refusing to overwrite it")
    listed = {entry.get("digest") for entry in index["manifests"] if isinstance(entry, dict)}
    index["manifests"] += [r.descriptor() for r in found if r.digest not in listed]
    client.put_manifest(repository, tag, canonical_json(index), INDEX_TYPE)
    for referrer in found:
        log.get("publish").info("attached %s (%s) as %s; listed under tag %s", referrer.file.name,
                                referrer.artifact_type, referrer.digest, tag)
    return found
