"""Signing images: an OpenSSH signature (SSHSIG) of image.json by an Ed25519 key (publish signs with it).

The format, and checking a signature at run time: wasmimage/runtime/signatures.py. By hand:

    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I IMAGE_NAME -n wasmimage-image -s image.json.sig < image.json
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from wasmimage import files
from wasmimage.errors import InvalidInput, NotFound
from wasmimage.runtime.image import MANIFEST
from wasmimage.runtime.signatures import ARMOR, KEY_TYPE, MAGIC, NAMESPACE, SIGNATURE, signed_data, string

SIGNING_KEY_ENV = "WASMIMAGE_SIGNING_KEY"  # an OpenSSH Ed25519 private key file (publish signs with it)


def sign(message: bytes, key_file: Path) -> str:
    """An armored SSHSIG of message by the Ed25519 key in key_file (deterministic: Ed25519)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_ssh_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        kind = NotFound if isinstance(exc, FileNotFoundError) else InvalidInput
        raise kind(f"{key_file}: not a readable, unencrypted OpenSSH private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{key_file}: an Ed25519 key is needed (ssh-keygen -t ed25519)")
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    blob = MAGIC + struct.pack(">I", 1) + string(string(KEY_TYPE) + string(public)) + \
        string(NAMESPACE.encode()) + string(b"") + string(b"sha512") + \
        string(string(KEY_TYPE) + string(key.sign(signed_data(message))))
    text = base64.b64encode(blob).decode()
    return "\n".join([ARMOR[0], *(text[i:i + 70] for i in range(0, len(text), 70)), ARMOR[1]]) + "\n"


def sign_image(image_dir: Path, key_file: Path) -> Path:
    """Write image_dir/image.json.sig (atomically) with key_file's signature of image.json."""
    target = image_dir / SIGNATURE
    files.write_bytes(target, sign((image_dir / MANIFEST).read_bytes(), key_file).encode())
    return target
