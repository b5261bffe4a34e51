"""Which native code the runner loads: the trust model for .cwasm files (docs/security.md).

Deserializing a .cwasm maps its bytes as machine code, so wasmtime must only ever see a
.cwasm we have reason to trust. The runner deserializes an image's .cwasm only when

  - this machine made it: its sha256 is in the local trust store (`trusted/<sha256>`),
    where the aot stage records every .cwasm it compiled or restored from an authenticated
    cache entry (cache.py), and where this module records what it compiles itself; or
  - the image is signed: image.json.sig is a signature of image.json (which pins the
    .cwasm's sha256) by a key in $WASMIMAGE_TRUSTED_KEYS (signatures.py).

Anything else (an image pulled from a registry or an OCI layout, a directory copied from
elsewhere) is run from its .wasm instead, compiled here: wasmtime validates a .wasm and
runs it sandboxed, so compiling an untrusted one is safe. The result is kept under the
.wasm's sha256 and the engine identity (`compiled/<key>.cwasm`), so this costs about a
second once per image and machine.

The store (NativeStore, from Settings) is $WASMIMAGE_NATIVE_CACHE or ~/.cache/wasmimage/native,
created 0700: whoever can write it can run native code as this user anyway.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import wasmtime

from wasmimage import files, log
from wasmimage.digests import sha256_hex, spaced_json
from wasmimage.errors import PipelineError, StepFailed, Tampered
from wasmimage.runtime import signatures
from wasmimage.runtime.engine import AOT_CONFIG, AotConfig, cpu_features, engine, engine_identity, load
from wasmimage.runtime.image import MANIFEST, MAX_MANIFEST_BYTES, Image
from wasmimage.settings import Settings

_log = log.get("native")


@dataclass(frozen=True)
class NativeStore:
    """The trust store (`path`) and the keys whose signed images' .cwasm files load (`trusted_keys`)."""

    path: Path
    trusted_keys: Path | None = None  # an allowed_signers file (signatures.py)

    @classmethod
    def from_settings(cls, settings: Settings) -> NativeStore:
        default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wasmimage" / "native"
        return cls(settings.native_cache or default, settings.trusted_keys)


def given_or_environ(store: NativeStore | None) -> NativeStore:
    """`store`, or for a caller that passes none (an evaluator embedding the runtime) the environment's."""
    return store if store is not None else NativeStore.from_settings(Settings.from_environ())


def _make_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def trust(cwasm_sha256: str, store: NativeStore) -> None:
    """Record a .cwasm this machine made (or restored from an authenticated cache entry)."""
    try:
        (_make_dir(store.path / "trusted") / cwasm_sha256).touch()
    except OSError as exc:  # a read-only home: such images are then compiled from their .wasm
        _log.warning(f"cannot record a trusted .cwasm in {store.path}: {exc.strerror}")


def is_trusted(cwasm_sha256: str, store: NativeStore) -> bool:
    return (store.path / "trusted" / cwasm_sha256).is_file()


# The .wasm each .cwasm role was compiled from (the snapshot's: docs/snapshot.md)
PORTABLE = {"cwasm": "wasm", "snapshot": "snapshot_wasm"}


def module_for(image: Image, store: NativeStore, role: str = "cwasm",
               config: AotConfig = AOT_CONFIG) -> wasmtime.Module:
    """The image's interpreter (`role`: its command or its snapshot) for an engine of `config`: its own
    .cwasm if trusted (see above) and made for it, else the matching .wasm compiled here."""
    cwasm_sha256 = image.sha256(role)
    if config == AOT_CONFIG and (is_trusted(cwasm_sha256, store) or _signed(image, store.trusted_keys)):
        return load(image.file(role), cwasm_sha256, image.manifest["engine"])
    return compiled(image, store, PORTABLE[role], config)


def _signed(image: Image, trusted_keys: Path | None) -> bool:
    """Whether a key trusted for this image (its name is the signature's principal) signed exactly the
    image.json this Image was opened from."""
    manifest = files.read_capped(image.path / MANIFEST, MAX_MANIFEST_BYTES, follow_links=True)
    if signatures.signer(manifest, image.path / signatures.SIGNATURE, trusted_keys, image.name) is None:
        return False
    signed: object = json.loads(manifest)
    return signed == image.manifest  # not swapped since open_image checked the files


def compiled(image: Image, store: NativeStore, wasm_role: str = "wasm",
             config: AotConfig = AOT_CONFIG) -> wasmtime.Module:
    """The image's .wasm (role `wasm_role`) compiled on this machine for an engine of `config`, from
    the store when it was compiled before."""
    wasm = image.file(wasm_role).read_bytes()
    if sha256_hex(wasm) != image.sha256(wasm_role):
        raise Tampered(f"{image.file(wasm_role)}: sha256 does not match the manifest's; the image was modified")
    path = store.path / "compiled" / f"{_compile_key(image.sha256(wasm_role), config)}.cwasm"
    try:
        data = path.read_bytes()
        if is_trusted(sha256_hex(data), store):
            return wasmtime.Module.deserialize(engine(config), data)
    except FileNotFoundError:
        pass
    if config == AOT_CONFIG:
        _log.info(f"{image.name}: its .cwasm is neither from this machine nor signed by a key in "
                  f"${signatures.TRUSTED_KEYS_ENV}; compiling its .wasm here (once, kept in {path.parent})")
    else:
        _log.info(f"{image.name}: compiling its .wasm for an engine with {config.differences()} "
                  f"(once, kept in {path.parent})")
    try:
        module = wasmtime.Module(engine(config), wasm)
    except wasmtime.WasmtimeError as exc:
        raise StepFailed(f"{image.file(wasm_role)}: wasmtime cannot compile it: {exc}") from None
    data = bytes(module.serialize())  # a bytearray; one copy of a module just compiled
    try:
        _make_dir(path.parent)
        files.write_bytes(path, data)
        trust(sha256_hex(data), store)
    except (OSError, PipelineError) as exc:
        _log.warning(f"cannot keep the compiled module in {path.parent} ({exc}); it is compiled again next time")
    return module


@cache
def _compile_key(wasm_sha256: str, config: AotConfig) -> str:
    """What a .cwasm compiled here depends on: the .wasm, the engine and the CPU (as the aot key)."""
    identity = {"wasm": wasm_sha256, "engine": engine_identity(config), "cpu": cpu_features()}
    return sha256_hex(spaced_json(identity))  # an engine identity is ASCII: the bytes names always had
