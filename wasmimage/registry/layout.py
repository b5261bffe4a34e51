"""An image directory as an OCI image layout (image-spec 1.1), byte for byte reproducible.

The image becomes one config blob and ONE gzip'd tar layer holding its files under
/opt/wasm-images/<name>/, so a Dockerfile can `COPY --from=` it. Everything is canonical
(sorted tar entries, fixed owners, modes and times, gzip without name or time, compact JSON
with sorted keys): the same image directory always gives the same digests.
"""

from __future__ import annotations

import gzip
import io
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wasmimage import files
from wasmimage.digests import canonical_json, sha256_digest
from wasmimage.errors import InvalidInput
from wasmimage.registry.descriptors import (
    CONFIG_TYPE,
    IMAGES_ROOT,
    INDEX_TYPE,
    LAYER_TYPE,
    MANIFEST_SHA256,
    MANIFEST_TYPE,
    REF_NAME,
    TITLE,
    Blob,
    blob_path,
)
from wasmimage.runtime.image import MANIFEST, Image
from wasmimage.runtime.signatures import SIGNATURE

ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "riscv64": "riscv64", "s390x": "s390x"}


@dataclass(frozen=True)
class Layout:
    """An OCI image layout holding one tagged image."""

    path: Path
    tag: str
    manifest: Blob
    config: Blob
    layer: Blob

    def blob_path(self, digest: str) -> Path:
        return blob_path(self.path, digest)

    @property
    def blobs(self) -> list[Blob]:
        """Push order: what a manifest refers to goes first."""
        return [self.config, self.layer]


def rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def layer_tar(image: Image, epoch: int) -> bytes:
    """The uncompressed layer: every file of the image under opt/wasm-images/<name>/, canonically."""
    names = sorted(image.manifest["files"]) + [MANIFEST] + ([SIGNATURE] if (image.path / SIGNATURE).is_file() else [])
    beside = image.manifest.get("provenance")  # never in the layer: a referrer of it (wasmimage/pipeline/referrers.py)
    present = sorted(p.name for p in image.path.iterdir() if p.name != beside)
    if sorted(names) != present:
        extra = sorted(set(present) - set(names))
        raise InvalidInput(f"{image.path}: files not listed in {MANIFEST}: {', '.join(extra)}; refusing to publish")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        parts = f"{IMAGES_ROOT}/{image.name}".split("/")
        for depth in range(1, len(parts) + 1):
            tar.addfile(_tarinfo("/".join(parts[:depth]), tarfile.DIRTYPE, 0o755, 0, epoch))
        for name in sorted(names):
            data = (image.path / name).read_bytes()
            tar.addfile(_tarinfo(f"{IMAGES_ROOT}/{image.name}/{name}", tarfile.REGTYPE, 0o644, len(data), epoch),
                        io.BytesIO(data))
    return buffer.getvalue()


def _tarinfo(name: str, kind: bytes, mode: int, size: int, epoch: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0, so the bytes depend on the content only."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="", compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()


def platform(image: Image) -> dict:
    """os/architecture of the .cwasm target (e.g. x86_64-linux -> linux/amd64)."""
    target = image.manifest["engine"]["target"]
    arch, _, os_name = target.partition("-")
    if arch not in ARCHITECTURES or os_name != "linux":
        raise InvalidInput(f"{image.path}: engine.target {target!r} has no OCI platform we know")
    return {"architecture": ARCHITECTURES[arch], "os": "linux"}


def oci_annotations(image: Image, epoch: int, source: str) -> dict[str, str]:
    manifest = image.manifest
    return {
        "org.opencontainers.image.created": rfc3339(epoch),
        "org.opencontainers.image.revision": str(manifest["revision"]),
        "org.opencontainers.image.source": source,
        TITLE: manifest["name"],
        "org.opencontainers.image.version": manifest["tag"],
        "io.wasmimage.engine.config": canonical_json(manifest["engine"]["config"]).decode(),
        MANIFEST_SHA256: files.sha256_file(image.path / MANIFEST),
        "io.wasmimage.wasmtime.version": manifest["engine"]["wasmtime"],
    }


def labels(image: Image) -> dict[str, str]:
    """What `skopeo inspect` shows of the image's SBOM and provenance (see wasmimage/pipeline/referrers.py)."""
    roles = image.manifest["roles"]
    found = {}
    if "sbom" in roles:
        found["io.wasmimage.sbom"] = f"{roles['sbom']} sha256:{image.sha256('sbom')} (in the layer; also a referrer)"
    if image.manifest.get("provenance"):
        found["io.wasmimage.provenance"] = f"{image.manifest['provenance']}: an OCI referrer of this image"
    return found


def write_layout(image: Image, target: Path, epoch: int, source: str) -> Layout:
    """Write `target` as an OCI image layout of `image`, tagged with the image's tag, atomically.

    `source` is the org.opencontainers.image.source annotation: where the first source came from.
    """
    tar = layer_tar(image, epoch)
    layer_data = gzip_bytes(tar)
    config_data = canonical_json({
        **platform(image),
        "created": rfc3339(epoch),
        "config": {"Labels": labels(image)},
        "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar)]},
        "history": [{"created": rfc3339(epoch),
                     "created_by": f"wasmimage publish {image.name}:{image.manifest['tag']}"}],
    })
    config = Blob(CONFIG_TYPE, sha256_digest(config_data), len(config_data))
    layer = Blob(LAYER_TYPE, sha256_digest(layer_data), len(layer_data))
    manifest_data = canonical_json({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": config.descriptor(), "layers": [layer.descriptor()],
        "annotations": oci_annotations(image, epoch, source),
    })
    manifest = Blob(MANIFEST_TYPE, sha256_digest(manifest_data), len(manifest_data))
    tag = image.manifest["tag"]
    index = {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": [
        {**manifest.descriptor(), "platform": platform(image), "annotations": {REF_NAME: tag}}]}

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        (work / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))
        (work / "index.json").write_bytes(canonical_json(index))
        for blob, data in ((config, config_data), (layer, layer_data), (manifest, manifest_data)):
            path = blob_path(work, blob.digest)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        files.replace_dir(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Layout(target, tag, manifest, config, layer)
