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
from typing import TextIO

from wasmimage import oci, provenance, sbom
from wasmimage.errors import PipelineError

EMPTY_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_DATA = b"{}"
EMPTY = oci.Blob(EMPTY_TYPE, oci.sha256_digest(EMPTY_DATA), len(EMPTY_DATA))


@dataclass(frozen=True)
class Referrer:
    """One artifact manifest about an image, and the file it carries."""

    file: Path
    blob: oci.Blob  # the file as a layer
    manifest: bytes

    @property
    def digest(self) -> str:
        return oci.sha256_digest(self.manifest)

    @property
    def artifact_type(self) -> str:
        return self.blob.media_type

    def descriptor(self) -> dict:
        return {"mediaType": oci.MANIFEST_TYPE, "digest": self.digest, "size": len(self.manifest),
                "artifactType": self.artifact_type,
                "annotations": {oci.TITLE: self.file.name}}


def referrers(image_dir: Path, subject: oci.Blob) -> list[Referrer]:
    """The SBOM and provenance found in image_dir, as referrers of `subject` (the image manifest)."""
    found = []
    for name, media_type in ((sbom.FILE_NAME, sbom.MEDIA_TYPE), (provenance.FILE_NAME, provenance.MEDIA_TYPE)):
        path = image_dir / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        blob = oci.Blob(media_type, oci.sha256_digest(data), len(data))
        manifest = oci.canonical_json({
            "schemaVersion": 2, "mediaType": oci.MANIFEST_TYPE, "artifactType": media_type,
            "config": EMPTY.descriptor(),
            "layers": [{**blob.descriptor(), "annotations": {oci.TITLE: name}}],
            "subject": subject.descriptor(),
        })
        found.append(Referrer(path, blob, manifest))
    return found


def fallback_tag(subject_digest: str) -> str:
    """The referrers tag schema: sha256:<hex> -> sha256-<hex>."""
    return subject_digest.replace(":", "-")


def push(client: oci.RegistryClient, repository: str, subject: oci.Blob, image_dir: Path,
         out: TextIO) -> list[Referrer]:
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
        client.request("PUT", f"/v2/{repository}/manifests/{referrer.digest}", f"repository:{repository}:push",
                       ok=(201,), data=referrer.manifest, headers={"Content-Type": oci.MANIFEST_TYPE})
    tag = fallback_tag(subject.digest)
    existing = client.manifest(repository, tag)
    index = json.loads(existing) if existing else {"schemaVersion": 2, "mediaType": oci.INDEX_TYPE, "manifests": []}
    if not isinstance(index.get("manifests"), list):
        raise PipelineError(f"{repository}:{tag}: not a referrers index; refusing to overwrite it")
    listed = {entry.get("digest") for entry in index["manifests"]}
    index["manifests"] += [r.descriptor() for r in found if r.digest not in listed]
    client.request("PUT", f"/v2/{repository}/manifests/{tag}", f"repository:{repository}:push", ok=(201,),
                   data=oci.canonical_json(index), headers={"Content-Type": oci.INDEX_TYPE})
    for referrer in found:
        print(f"[publish] attached {referrer.file.name} ({referrer.artifact_type}) as {referrer.digest}; "
              f"listed under tag {tag}", file=out)
    return found
