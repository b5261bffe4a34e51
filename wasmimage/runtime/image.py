"""Open an image directory and check it: what a consumer trusts before it runs anything.

`image.json` is the contract with consumers: what went in (pins, toolchain, flags,
engine), what came out (every file with its sha256) and what was proven (conformance).
Opening an image checks the manifest against wasmimage/schemas/image.schema.json, every
digest, and refuses names that leave the directory. (Writing one: wasmimage/pipeline/image.py.)
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmimage import files
from wasmimage.digests import sha256_hex
from wasmimage.errors import InvalidInput, NotFound, Tampered
from wasmimage.runtime.manifest import check_json
from wasmimage.runtime.protocols import PROTOCOLS
from wasmimage.runtime.run_spec import RunSpec

MANIFEST = "image.json"
MANIFEST_SCHEMA = 1
MAX_MANIFEST_BYTES = 4 << 20  # image.json is read whole: a few KiB, RustPython's (474 crates) about 100 KiB


@dataclass(frozen=True)
class Image:
    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        name: str = self.manifest["name"]  # the schema's types (checked when opened) from here on
        return name

    def file(self, role: str) -> Path:
        file_name: str = self.manifest["roles"][role]
        return self.path / file_name

    def sha256(self, role: str) -> str:
        digest: str = self.manifest["files"][self.manifest["roles"][role]]["sha256"]
        return digest

    def executor(self, protocol: str) -> Path:
        """The executor script of `protocol` (runtime/protocols.py), or InvalidInput if the image does not speak it."""
        if not self.has(PROTOCOLS[protocol].role):
            raise InvalidInput(f"{self.path}: image {self.name} does not speak the {protocol} protocol "
                               f"(its recipe declares no run.protocols.{protocol})")
        return self.file(PROTOCOLS[protocol].role)

    def has(self, role: str) -> bool:
        return role in self.manifest["roles"]

    @property
    def run(self) -> RunSpec:
        return RunSpec.from_section(self.manifest["run"])


_digests: dict[tuple[int, ...], str] = {}
_valid_manifests: set[str] = set()  # sha256 of manifest texts that passed the schema


def _digest(path: Path) -> str:
    """sha256 of a file, computed once per process per file identity.

    Opening an image by path on every call re-hashed the 2.9 MB .cwasm each time (4-9 ms).
    The identity includes the inode and ctime, which every write, rename or utime changes,
    so a file replaced or modified since is hashed again.
    """
    stat = path.stat()
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if identity not in _digests:
        _digests[identity] = files.sha256_file(path)
    return _digests[identity]


Identities = tuple[tuple[int, ...], ...]  # lstat fields that change when a file is written or swapped

# Images opened by path, and what the files looked like then (lstat identities: a write, rename,
# utime or symlink swap changes the inode, size, mtime or ctime, and no one sets ctime back)
_opened: dict[str, tuple[Identities, Image]] = {}
_opened_lock = threading.Lock()


def _identities(root: str, names: list[str]) -> Identities:
    found = []
    for name in names:
        stat = os.lstat(os.path.join(root, name))
        found.append((stat.st_dev, stat.st_ino, stat.st_mode, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return tuple(found)


def open_image(path: Path | str) -> Image:
    """Read and check an image directory: every listed file must be inside it and match its digest.

    An image opened before by the same path is given again when a look at its files (lstat of
    image.json and of every file it lists: a few microseconds) finds none changed, so a caller
    may pass a path on every call and pay for the check once; anything changed is checked again.
    """
    key = os.path.abspath(path)
    with _opened_lock:
        seen = _opened.get(key)
    if seen is not None:
        identities, image = seen
        try:
            if _identities(key, [MANIFEST, *image.manifest["files"]]) == identities:
                return image
        except OSError:
            pass
    image, identities = _check(Path(path))
    with _opened_lock:
        _opened[key] = (identities, image)
    return image


def _read_manifest(path: Path) -> tuple[dict[str, Any], Identities]:
    """image.json, parsed and checked against its schema, and its identity (taken before it is read)."""
    manifest_path = path / MANIFEST
    try:
        identity = _identities(str(path), [MANIFEST])
        text = files.read_capped(manifest_path, MAX_MANIFEST_BYTES, follow_links=True)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"{path}: not an image directory (no {MANIFEST})") from None
    try:
        manifest = files.parse_json(text)
    except ValueError as exc:
        raise InvalidInput(f"{manifest_path}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        schema = manifest.get("schema") if isinstance(manifest, dict) else None
        raise InvalidInput(f"{manifest_path}: schema {schema!r} is not {MANIFEST_SCHEMA}")
    text_digest = sha256_hex(text)
    if text_digest not in _valid_manifests:  # the same bytes are the same verdict
        check_json(manifest, manifest_path, "image")
        _valid_manifests.add(text_digest)
    mounts = manifest["run"].get("mounts", {})
    for where, names in [*((f"roles.{role}", [name]) for role, name in manifest["roles"].items()),
                         *((f"run.mounts.{guest}", names) for guest, names in mounts.items()),
                         *((f"engines.{profile}.file", [entry["file"]])
                           for profile, entry in manifest.get("engines", {}).items())]:
        for name in names:
            if name not in manifest["files"]:
                raise InvalidInput(f"{manifest_path}: {where}: {name!r} is not listed in files")
    return manifest, identity


def _check(path: Path) -> tuple[Image, Identities]:
    """The image and its files' identities, taken before their digests are (a file changed while it
    is checked is either caught by its digest or looks changed the next time)."""
    manifest, manifest_identity = _read_manifest(path)
    manifest_path = path / MANIFEST
    root = path.resolve()
    try:
        identities = manifest_identity + _identities(str(path), list(manifest["files"]))
    except OSError:
        identities = ()  # a missing file: reported below, and never a match next time
    for name, entry in manifest["files"].items():
        file_path = root / name  # a plain file name (the schema): only a symlink can lead out
        if file_path.is_symlink() and file_path.resolve().parent != root:
            raise Tampered(f"{manifest_path}: files: {name!r} is outside the image directory; refusing it")
        if not file_path.is_file():
            if file_path.exists():
                raise InvalidInput(f"{manifest_path}: files: {name} is not a regular file; refusing it")
            raise NotFound(f"{manifest_path}: files: {name} is missing")
        actual = _digest(file_path)
        if actual != entry["sha256"]:
            raise Tampered(f"{file_path}: sha256 {actual} does not match the manifest's {entry['sha256']}; "
                                f"the image was modified after it was written")
    return Image(root, manifest), identities
