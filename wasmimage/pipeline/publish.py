"""Publish stage: a verified image directory -> OCI image layout -> a registry, under an immutable tag.

The tag is `<upstream version>-r<revision>`. A tag, once pushed, names one manifest forever:
publishing different content under an existing tag is refused (bump the recipe's revision),
and publishing the same content again changes nothing. Blobs the registry already has are
not sent again.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from wasmimage import log
from wasmimage.digests import sha256_digest
from wasmimage.errors import InvalidInput
from wasmimage.pipeline import referrers, signing
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.layout import Layout, write_layout
from wasmimage.registry.reference import base_url
from wasmimage.registry.target import Target
from wasmimage.runtime.image import Image, open_image
from wasmimage.sources import pins


@dataclass
class PublishResult:
    reference: str  # REGISTRY/REPO:TAG
    digest: str  # the manifest's
    status: str  # "pushed" | "unchanged" | "dry-run"
    layout: Layout
    uploaded: list[str] = field(default_factory=list)  # blob digests sent
    skipped: list[str] = field(default_factory=list)  # blob digests the registry had


def image_layout(image: Image, path: Path, epoch: int) -> Layout:
    """The OCI layout publish pushes for `image`, written at path (annotated with its first source)."""
    first = image.manifest["sources"][0]
    return write_layout(image, path, epoch, pins.location(first) or first["name"])


def publish(image_dir: Path, target: Target, layout_root: Path, *, dry_run: bool = False, insecure: bool = False,
            client: RegistryClient | None = None, out: TextIO = sys.stdout,
            sign_key: Path | None = None, credentials: Credentials = Credentials(),
            source_date_epoch: int = 0) -> PublishResult:
    """Check the image, write its OCI layout under layout_root/<name>/<tag>/ and push it to target.

    Progress goes to the log ([publish] lines); a dry run's listing of what would be pushed is
    its result, written to `out`.

    With a signing key (sign_key: --sign-key or $WASMIMAGE_SIGNING_KEY) image.json is signed first, so
    consumers who trust that key load the image's .cwasm instead of compiling its .wasm. The
    layout's file times are source_date_epoch ($SOURCE_DATE_EPOCH).
    """
    say = log.get("publish")
    image = open_image(image_dir)
    if sign_key is not None:
        say.info("signed %s with %s", signing.sign_image(image.path, sign_key), sign_key)
    manifest = image.manifest
    tag = manifest["tag"]
    if tag != f"{manifest['version']}-r{manifest['revision']}":
        raise InvalidInput(f"{image_dir}: tag {tag!r} is not <version>-r<revision>")
    layout = image_layout(image, layout_root / image.name / tag, source_date_epoch)
    repository = target.repository(image.name)
    reference = f"{target.registry.split('://')[-1]}/{repository}:{tag}"
    result = PublishResult(reference, layout.manifest.digest, "dry-run", layout)
    if dry_run:
        base_url(target.registry, insecure)  # refuse an http registry now, not on the real run
        _print_dry_run(reference, tag, layout, image_dir, out)
        return result

    client = client or RegistryClient(target.registry, insecure=insecure, credentials=credentials)
    existing = client.manifest(repository, tag)
    if existing is not None:
        existing_digest = sha256_digest(existing)
        if existing_digest != layout.manifest.digest:
            raise InvalidInput(f"{reference} already exists with manifest {existing_digest}, not ours "
                               f"({layout.manifest.digest}); tags are immutable: bump the recipe's revision")
        result.status = "unchanged"
        say.info("%s@%s is already there; nothing to do", reference, layout.manifest.digest)
        referrers.push(client, repository, layout.manifest, image_dir)  # a rebuild's new provenance
        return result
    _push(client, repository, tag, layout, result)
    say.info("pushed %s@%s (%d blob(s) uploaded, %d already there)", reference, layout.manifest.digest,
             len(result.uploaded), len(result.skipped))
    referrers.push(client, repository, layout.manifest, image_dir)
    return result


def _print_dry_run(reference: str, tag: str, layout: Layout, image_dir: Path, out: TextIO) -> None:
    """What a real run would push: the blobs, the manifest, the tag and the referrers."""
    print(f"[publish] dry run: would push {reference} ({layout.path})", file=out)
    for blob in layout.blobs + [layout.manifest]:
        print(f"  {blob.media_type}  {blob.digest}  {blob.size} bytes", file=out)
    print(f"  tag {tag} -> {layout.manifest.digest}", file=out)
    for referrer in referrers.referrers(image_dir, layout.manifest):
        print(f"  referrer {referrer.artifact_type}  {referrer.digest}  ({referrer.file.name})", file=out)


def _push(client: RegistryClient, repository: str, tag: str, layout: Layout, result: PublishResult) -> None:
    """The blobs the registry lacks (noting which were sent and which were there), then the manifest, tagged."""
    for blob in layout.blobs:
        sent = client.push_blob(repository, blob, layout.blob_path(blob.digest))
        (result.uploaded if sent else result.skipped).append(blob.digest)
    client.put_manifest(repository, tag, layout.blob_path(layout.manifest.digest).read_bytes())
    result.status = "pushed"
