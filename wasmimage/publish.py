"""Publish stage: a verified image directory -> OCI image layout -> a registry, under an immutable tag.

The tag is `<upstream version>-r<revision>`. A tag, once pushed, names one manifest forever:
publishing different content under an existing tag is refused (bump the recipe's revision),
and publishing the same content again changes nothing. Blobs the registry already has are
not sent again.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from wasmimage import oci, referrers, signing
from wasmimage.build import source_date_epoch
from wasmimage.errors import PipelineError
from wasmimage.image import open_image

REGISTRY_ENV = "WASMIMAGE_REGISTRY"


@dataclass(frozen=True)
class Target:
    """Where images go: a registry host and an optional namespace (`host:port/namespace`)."""

    registry: str
    namespace: str = ""

    @classmethod
    def parse(cls, spec: str) -> Target:
        scheme, _, rest = spec.rpartition("://") if "://" in spec else ("", "", spec)
        registry, _, namespace = rest.strip("/").partition("/")
        if not registry:
            raise PipelineError(f"{spec!r}: want a registry as host[:port][/namespace]")
        return cls((f"{scheme}://" if scheme else "") + registry, namespace)

    @classmethod
    def from_env(cls) -> Target:
        spec = os.environ.get(REGISTRY_ENV)
        if not spec:
            raise PipelineError(f"no registry to publish to: set {REGISTRY_ENV}=host:port/namespace")
        return cls.parse(spec)

    def repository(self, name: str) -> str:
        return f"{self.namespace}/{name}" if self.namespace else name


@dataclass
class PublishResult:
    reference: str  # REGISTRY/REPO:TAG
    digest: str  # the manifest's
    status: str  # "pushed" | "unchanged" | "dry-run"
    layout: oci.Layout
    uploaded: list[str] = field(default_factory=list)  # blob digests sent
    skipped: list[str] = field(default_factory=list)  # blob digests the registry had


def epoch() -> int:
    value = source_date_epoch()
    if not value.isdigit():
        raise PipelineError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds")
    return int(value)


def publish(image_dir: Path, target: Target, layout_root: Path, *, dry_run: bool = False, insecure: bool = False,
            client: oci.RegistryClient | None = None, out: TextIO = sys.stderr,
            sign_key: Path | None = None) -> PublishResult:
    """Check the image, write its OCI layout under layout_root/<name>/<tag>/ and push it to target.

    With a signing key (sign_key, or $WASMIMAGE_SIGNING_KEY) image.json is signed first, so
    consumers who trust that key load the image's .cwasm instead of compiling its .wasm.
    """
    image = open_image(image_dir)
    sign_key = sign_key or (Path(os.environ[signing.SIGNING_KEY_ENV]) if os.environ.get(signing.SIGNING_KEY_ENV)
                            else None)
    if sign_key is not None:
        print(f"[publish] signed {signing.sign_image(image.path, sign_key)} with {sign_key}", file=out)
    manifest = image.manifest
    tag = manifest["tag"]
    if tag != f"{manifest['version']}-r{manifest['revision']}":
        raise PipelineError(f"{image_dir}: tag {tag!r} is not <version>-r<revision>")
    layout = oci.write_layout(image, layout_root / image.name / tag, epoch())
    repository = target.repository(image.name)
    reference = f"{target.registry.split('://')[-1]}/{repository}:{tag}"
    result = PublishResult(reference, layout.manifest.digest, "dry-run", layout)
    if dry_run:
        oci.base_url(target.registry, insecure)  # refuse an http registry now, not on the real run
        print(f"[publish] dry run: would push {reference} ({layout.path})", file=out)
        for blob in layout.blobs + [layout.manifest]:
            print(f"  {blob.media_type}  {blob.digest}  {blob.size} bytes", file=out)
        print(f"  tag {tag} -> {layout.manifest.digest}", file=out)
        for referrer in referrers.referrers(image_dir, layout.manifest):
            print(f"  referrer {referrer.artifact_type}  {referrer.digest}  ({referrer.file.name})", file=out)
        return result

    client = client or oci.RegistryClient(target.registry, insecure=insecure)
    existing = client.manifest(repository, tag)
    if existing is not None:
        existing_digest = oci.sha256_digest(existing)
        if existing_digest != layout.manifest.digest:
            raise PipelineError(f"{reference} already exists with manifest {existing_digest}, not ours "
                                f"({layout.manifest.digest}); tags are immutable: bump the recipe's revision")
        result.status = "unchanged"
        print(f"[publish] {reference}@{layout.manifest.digest} is already there; nothing to do", file=out)
        referrers.push(client, repository, layout.manifest, image_dir, out)  # a rebuild's new provenance
        return result
    for blob in layout.blobs:
        sent = client.push_blob(repository, blob, layout.blob_path(blob.digest))
        (result.uploaded if sent else result.skipped).append(blob.digest)
    client.put_manifest(repository, tag, layout.blob_path(layout.manifest.digest).read_bytes())
    result.status = "pushed"
    print(f"[publish] pushed {reference}@{layout.manifest.digest} "
          f"({len(result.uploaded)} blob(s) uploaded, {len(result.skipped)} already there)", file=out)
    referrers.push(client, repository, layout.manifest, image_dir, out)
    return result
