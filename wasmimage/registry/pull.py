"""Pulling: a registry or an OCI layout -> checked blobs in the cache -> a checked image directory.

Every blob's sha256 is checked before it is used; the layer is extracted into a
content-addressed cache and the result opened with open_image(), which checks every file.
Every read is bounded (PullLimits): a registry or layout can make a pull fail, never make it
hang, fill the memory or the disk. A pulled image's .cwasm is still not trusted: see native.py.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from wasmimage import files
from wasmimage.digests import sha256_chunks, sha256_digest
from wasmimage.errors import InvalidInput, NotFound, Tampered
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.descriptors import (
    CHUNK,
    CONFIG_TYPE,
    IMAGES_ROOT,
    LAYER_TYPE,
    LIMITS,
    MANIFEST_SHA256,
    MANIFEST_TYPE,
    REF_NAME,
    TITLE,
    Blob,
    PullLimits,
    blob_path,
    is_digest,
)
from wasmimage.registry.reference import local_directory, parse_reference
from wasmimage.runtime.image import MANIFEST, open_image
from wasmimage.runtime.signatures import SIGNATURE
from wasmimage.settings import Settings


class LayoutSource:
    """Blobs and tags of an OCI image layout on disk, read without following links."""

    def __init__(self, path: Path, limits: PullLimits = LIMITS) -> None:
        self.path, self.limits = path, limits
        if not (path / "oci-layout").is_file() or not (path / "index.json").is_file():
            raise NotFound(f"{path}: not an OCI image layout (no oci-layout or index.json)")

    def _open(self, relative: str) -> BinaryIO:
        """A regular file of the layout: a symbolic link anywhere below the layout (to /dev/zero,
        say), a FIFO or a device is refused. FileNotFoundError if there is none."""
        *directories, name = relative.split("/")
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for directory in directories:
                inner = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
            file_fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise InvalidInput(f"{self.path / relative}: cannot open it without following links "
                               f"({exc.strerror}); refusing it") from None
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            os.close(file_fd)
            raise InvalidInput(f"{self.path / relative}: not a regular file; refusing it")
        return os.fdopen(file_fd, "rb")

    def _read(self, relative: str, limit: int) -> bytes:
        with self._open(relative) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(f"{self.path / relative}: over the {limit}-byte limit; refusing it")
        return data

    def manifest(self, reference: str) -> bytes | None:
        if not is_digest(reference):
            try:
                index = files.parse_json(self._read("index.json", self.limits.manifest_bytes))
                found = [m["digest"] for m in index["manifests"]
                         if (m.get("annotations") or {}).get(REF_NAME) == reference]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InvalidInput(f"{self.path / 'index.json'}: not an OCI image index") from None
            if not found:
                return None
            reference = str(found[0])
        try:
            return self._read(_blob_name(reference), self.limits.manifest_bytes)
        except FileNotFoundError:
            return None

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        """At most one byte more than the declared size is copied: the size check then refuses it."""
        with self._open(_blob_name(blob.digest)) as f:
            remaining = blob.size + 1
            while remaining and (chunk := f.read(min(CHUNK, remaining))):
                dest.write(chunk)
                remaining -= len(chunk)


def _blob_name(digest: str) -> str:
    return blob_path(Path("."), digest).as_posix()


class RegistrySource:
    """Blobs and tags of one repository in a registry."""

    def __init__(self, client: RegistryClient, repository: str) -> None:
        self.client, self.repository, self.limits = client, repository, client.limits

    def manifest(self, reference: str) -> bytes | None:
        return self.client.manifest(self.repository, reference)

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        self.client.fetch_blob(self.repository, blob, dest)


def default_cache(settings: Settings) -> Path:
    """$WASMIMAGE_OCI_CACHE, else .cache/oci here."""
    return settings.oci_cache or Path.cwd() / ".cache" / "oci"


def pull(source: LayoutSource | RegistrySource, reference: str, cache: Path, what: str) -> Path:
    """Fetch `reference` (a tag or digest) into the cache and return its checked image directory."""
    limits = source.limits
    data = source.manifest(reference)
    if data is None:
        raise NotFound(f"{what}: no such image")
    digest = sha256_digest(data)
    if is_digest(reference) and digest != reference:
        raise Tampered(f"{what}: the manifest's sha256 is {digest}, not the {reference} asked for")
    _store(cache, Blob(MANIFEST_TYPE, digest, len(data)), lambda dest: dest.write(data), what)
    manifest = _parse_manifest(data, what)
    config_blob = _blob(manifest.get("config"), CONFIG_TYPE, limits.config_bytes, what)
    layer_blob = _blob(manifest["layers"][0], LAYER_TYPE, limits.layer_bytes, what)
    config_path = _store(cache, config_blob, lambda dest: source.fetch_blob(config_blob, dest), what)
    try:
        config = files.parse_json(config_path.read_bytes())
        diff_ids = config["rootfs"]["diff_ids"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(f"{what}: the image config is not JSON with rootfs.diff_ids") from None
    layer = _store(cache, layer_blob, lambda dest: source.fetch_blob(layer_blob, dest), what)

    annotations = manifest.get("annotations")
    notes: dict[str, Any] = annotations if isinstance(annotations, dict) else {}
    name = _image_name(notes, what)
    target = cache / "images" / "sha256" / digest.removeprefix("sha256:")
    if not target.is_dir():
        _extract_image(layer, diff_ids, name, target, what, limits)
    image = open_image(target)
    # image.json, which pins every other file, must be the layer's: the annotation says which, or the layer
    # itself (an extracted directory is reused by later pulls, and the cache is only as safe as its writers)
    expected = notes.get(MANIFEST_SHA256) or _layer_manifest_sha256(layer, name, what, limits)
    if files.sha256_file(target / MANIFEST) != expected:
        raise Tampered(f"{what}: {target / MANIFEST} is not the layer's {MANIFEST} (modified in the cache?); "
                       f"delete {target} to pull it again")
    return image.path


def _image_name(notes: dict, what: str) -> str:
    """The image's name (the manifest's title annotation): the layer holds its files under opt/wasm-images/NAME/."""
    name = notes.get(TITLE, "")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise InvalidInput(f"{what}: the manifest's {TITLE} annotation {name!r} is not an image name")
    return name


def _layer_manifest_sha256(layer: Path, name: str, what: str, limits: PullLimits) -> str:
    """The sha256 of the image.json the layer holds (its digest and contents were checked when it was stored)."""
    try:
        with tarfile.open(layer, "r:gz") as tar:
            for member in _members(tar, f"{IMAGES_ROOT}/{name}/", what, limits.tar_entries):
                if member.name.endswith(f"/{MANIFEST}"):
                    with _plain_file(tar, member) as data:
                        return sha256_chunks(iter(lambda: data.read(CHUNK), b""))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise InvalidInput(f"{what}: the layer is not a tar.gz archive: {exc}") from None
    raise InvalidInput(f"{what}: the layer holds no {MANIFEST}")


def _parse_manifest(data: bytes, what: str) -> dict:
    try:
        manifest = files.parse_json(data)
    except ValueError:
        raise InvalidInput(f"{what}: the manifest is not JSON") from None
    if not isinstance(manifest, dict):
        raise InvalidInput(f"{what}: the manifest is not a JSON object")
    if manifest.get("mediaType", MANIFEST_TYPE) != MANIFEST_TYPE or manifest.get("schemaVersion") != 2:
        raise InvalidInput(f"{what}: not an OCI image manifest (mediaType {manifest.get('mediaType')!r})")
    layers = manifest.get("layers")
    if not isinstance(layers, list) or len(layers) != 1:
        count = len(layers) if isinstance(layers, list) else 0
        raise InvalidInput(f"{what}: a wasm image has exactly one layer, this one has {count}")
    return manifest


def _blob(descriptor: Any, media_type: str, limit: int, what: str) -> Blob:
    if not isinstance(descriptor, dict) or descriptor.get("mediaType") != media_type:
        found = descriptor.get("mediaType") if isinstance(descriptor, dict) else descriptor
        raise InvalidInput(f"{what}: blob media type {found!r}, expected {media_type}")
    digest, size = descriptor.get("digest"), descriptor.get("size")
    if not is_digest(digest) or type(size) is not int or size < 0:
        raise InvalidInput(f"{what}: bad blob descriptor {descriptor!r} (want a sha256 digest and a size)")
    if size > limit:
        raise InvalidInput(f"{what}: blob {digest} is declared as {size} bytes, over the {limit}-byte limit "
                           f"for a {media_type}; refusing it")
    return Blob(media_type, digest, size)


def _store(cache: Path, blob: Blob, write: Callable[[BinaryIO], Any], what: str) -> Path:
    """The cached blob, fetched with `write(file)` if absent; its size and sha256 are checked either way."""
    path = blob_path(cache, blob.digest)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:12]}.partial-")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            _check_blob(Path(name), blob, what)
            os.replace(name, path)
        finally:
            Path(name).unlink(missing_ok=True)
    _check_blob(path, blob, what)
    return path


def _check_blob(path: Path, blob: Blob, what: str) -> None:
    size = path.stat().st_size
    if size != blob.size:
        raise Tampered(f"{what}: blob {blob.digest} is {size} bytes, the manifest says {blob.size}")
    digest = "sha256:" + files.sha256_file(path)
    if digest != blob.digest:
        raise Tampered(f"{what}: blob {blob.digest} has sha256 {digest}; it was corrupted, refusing it")


def _at_most(read: Callable[[int], bytes], limit: int, what: str) -> Iterator[bytes]:
    """A stream's bytes (`read` is its read method), CHUNK at a time, refused once they pass `limit`."""
    total = 0
    while chunk := read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise InvalidInput(f"{what}: the layer unpacks to more than {limit} bytes; refusing it")
        yield chunk


def _extract_image(layer: Path, diff_ids: Any, name: str, target: Path, what: str, limits: PullLimits) -> None:
    """Unpack the layer's opt/wasm-images/<name>/ files (regular files only) into `target`, atomically.

    Bounded: the layer is gunzipped once to check its diff_id, and refused past
    limits.unpacked_bytes; the tar may hold at most limits.tar_entries entries.
    """
    try:
        with gzip.open(layer, "rb") as f:
            unpacked = sha256_chunks(_at_most(f.read, limits.unpacked_bytes, what))
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidInput(f"{what}: the layer is not gzip data: {exc}") from None
    if diff_ids != [f"sha256:{unpacked}"]:
        raise Tampered(f"{what}: the layer's uncompressed sha256 is not the config's diff_id")
    prefix = f"{IMAGES_ROOT}/{name}/"
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name[:12]}.partial-"))
    try:
        try:
            with tarfile.open(layer, "r:gz") as tar:
                for member in _members(tar, prefix, what, limits.tar_entries):
                    with _plain_file(tar, member) as src, (work / member.name[len(prefix):]).open("xb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
        except tarfile.TarError as exc:
            raise InvalidInput(f"{what}: the layer is not a tar archive: {exc}") from None
        _refuse_unlisted(work, what)
        if not os.path.isdir(target):
            files.replace_dir(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")  # an image's file names (image.schema.json)


def _plain_file(tar: tarfile.TarFile, member: tarfile.TarInfo) -> io.BufferedReader:
    """A member _members passed: a plain file, which tarfile opens as an ExFileObject (a BufferedReader)."""
    data = tar.extractfile(member)
    assert isinstance(data, io.BufferedReader)
    return data


def _members(tar: tarfile.TarFile, prefix: str, what: str, max_entries: int) -> Iterator[tarfile.TarInfo]:
    """The layer's files; anything but the image directory, its parents and plain files in it is refused,
    and so are repeated names and more than max_entries entries."""
    parents = {prefix.rstrip("/")} | {"/".join(prefix.split("/")[:i]) for i in range(1, prefix.count("/"))}
    seen: set[str] = set()
    for count, member in enumerate(tar, 1):
        if count > max_entries:
            raise InvalidInput(f"{what}: the layer has more than {max_entries} entries; a wasm image layer "
                               f"holds a few files")
        name = member.name.rstrip("/")
        if name in seen:
            raise InvalidInput(f"{what}: the layer holds {member.name!r} twice; refusing it")
        seen.add(name)
        if member.isdir() and name in parents:
            continue
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if not member.isreg() or not _FILE_NAME.fullmatch(rest):
            raise InvalidInput(f"{what}: unexpected layer entry {member.name!r}; a wasm image layer holds only "
                               f"plain files under /{prefix}")
        yield member


def _refuse_unlisted(work: Path, what: str) -> None:
    """Only the files image.json lists, image.json itself and its signature may come out of a layer."""
    try:
        listed = files.read_json(work / MANIFEST)["files"]
        allowed = {*listed, MANIFEST, SIGNATURE}
    except (OSError, ValueError, KeyError, TypeError):
        raise InvalidInput(f"{what}: the layer holds no readable {MANIFEST} listing its files") from None
    extra = sorted(p.name for p in work.iterdir() if p.name not in allowed)
    if extra:
        raise InvalidInput(f"{what}: the layer holds files {MANIFEST} does not list: {', '.join(extra)}; "
                           f"refusing it")


def resolve_image_ref(ref: str, *, settings: Settings = Settings(), cache: Path | None = None,
                      insecure: bool = False) -> Path:
    """An image directory for `ref`: a directory as is, `oci-layout:PATH:TAG` or a registry reference pulled.

    `settings` gives the cache (unless `cache` is given) and the registry credentials."""
    local = local_directory(ref)
    if local is not None:
        return local
    cache = cache or default_cache(settings)
    if ref.startswith("oci-layout:"):
        rest = ref.removeprefix("oci-layout:")
        path, sep, reference = rest.rpartition("@") if "@sha256:" in rest else rest.rpartition(":")
        if not sep or not path or not reference:
            raise InvalidInput(f"{ref!r}: want oci-layout:PATH:TAG or oci-layout:PATH@sha256:...")
        return pull(LayoutSource(Path(path)), reference, cache, ref)
    parsed = parse_reference(ref)
    client = RegistryClient(parsed.registry, insecure=insecure, credentials=Credentials.from_settings(settings))
    return pull(RegistrySource(client, parsed.repository), parsed.reference, cache, str(parsed))
