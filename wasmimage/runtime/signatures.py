"""Checking image signatures: an OpenSSH signature (SSHSIG) of image.json, by an Ed25519 key.

Why this format: `ssh-keygen -Y verify` checks it with no extra tool, keys are ordinary
OpenSSH keys (`ssh-keygen -t ed25519`), and the trusted keys are an OpenSSH allowed_signers
file; minisign and signify are not in Debian's default install, ssh-keygen is. We sign
(wasmimage/signing.py) and verify (here) in Python, with the `cryptography` package, so
that running an image needs no subprocess.

image.json pins the sha256 of every file of the image (the .cwasm included), so its
signature vouches for the whole image. It sits beside it as `image.json.sig` and travels in
the OCI layer, so it survives a Dockerfile's `COPY --from=`. By hand:

    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I PRINCIPAL -n wasmimage-image -s image.json.sig < image.json
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from wasmimage import files, log
from wasmimage.errors import InvalidInput, NotFound

SIGNATURE = "image.json.sig"  # beside image.json; the one file image.json cannot list
NAMESPACE = "wasmimage-image"  # SSHSIG namespace: a signature made for another purpose never counts here
TRUSTED_KEYS_ENV = "WASMIMAGE_TRUSTED_KEYS"  # an OpenSSH allowed_signers file (named in messages)
MAGIC = b"SSHSIG"
KEY_TYPE = b"ssh-ed25519"
MAX_SIGNATURE_BYTES = 64 << 10  # an armored Ed25519 SSHSIG is about 300 bytes; the file is read whole
ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")


def string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _strings(data: bytes, count: int) -> list[bytes]:
    out, at = [], 0
    for _ in range(count):
        (length,) = struct.unpack_from(">I", data, at)
        if at + 4 + length > len(data):
            raise ValueError("truncated")
        out.append(data[at + 4:at + 4 + length])
        at += 4 + length
    if at != len(data):
        raise ValueError("trailing bytes")
    return out


def signed_data(message: bytes) -> bytes:
    """What SSHSIG signs (PROTOCOL.sshsig): the magic, namespace, reserved, hash name, H(message)."""
    return MAGIC + string(NAMESPACE.encode()) + string(b"") + string(b"sha512") + \
        string(hashlib.sha512(message).digest())


@dataclass(frozen=True)
class TrustedKey:
    principal: str
    public: bytes  # the raw 32-byte Ed25519 key


def trusted_keys(path: Path | None) -> list[TrustedKey]:
    """The keys of the allowed_signers file `path` ($WASMIMAGE_TRUSTED_KEYS; lines `PRINCIPAL ssh-ed25519 BASE64`)."""
    if path is None:
        return []
    name = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        kind = NotFound if isinstance(exc, FileNotFoundError) else InvalidInput
        raise kind(f"{TRUSTED_KEYS_ENV}={name}: cannot read it: {exc.strerror}") from None
    keys = []
    for number, line in enumerate(lines, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            at = words.index(KEY_TYPE.decode())
            kind, public = _strings(base64.b64decode(words[at + 1], validate=True), 2)
            if kind != KEY_TYPE or len(public) != 32:
                raise ValueError("not an Ed25519 key")
        except (ValueError, IndexError, struct.error):
            raise InvalidInput(f"{name}:{number}: want `PRINCIPAL ssh-ed25519 BASE64` "
                                f"(an allowed_signers line with an Ed25519 key)") from None
        keys.append(TrustedKey(words[0] if at else "*", public))
    return keys


def verify(message: bytes, armored: str, keys: list[TrustedKey]) -> TrustedKey | None:
    """The trusted key that made this signature of message, or None (a bad signature is None too)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        lines = armored.strip().splitlines()
        if lines[0] != ARMOR[0] or lines[-1] != ARMOR[1]:
            return None
        blob = base64.b64decode("".join(lines[1:-1]), validate=True)
        if not blob.startswith(MAGIC) or blob[6:10] != struct.pack(">I", 1):
            return None
        public_blob, namespace, _reserved, hash_name, signature = _strings(blob[10:], 5)
        kind, public = _strings(public_blob, 2)
        sig_kind, raw = _strings(signature, 2)
    except (ValueError, IndexError, struct.error):
        return None
    if (kind, sig_kind, namespace, hash_name) != (KEY_TYPE, KEY_TYPE, NAMESPACE.encode(), b"sha512"):
        return None
    for key in keys:
        if key.public == public:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw, signed_data(message))
                return key
            except InvalidSignature:
                return None
    return None


def signer(message: bytes, signature: Path, trusted_keys_file: Path | None) -> TrustedKey | None:
    """Which trusted key made the signature file `signature` of message, if any.

    Without the `cryptography` package (`pip install wasmimage[signed]`) no signature counts:
    the image then runs from its .wasm, compiled here (runtime/native.py), which is safe.
    """
    keys = trusted_keys(trusted_keys_file)
    if not keys or not signature.is_file():
        return None
    try:
        import cryptography  # noqa: F401  (verify imports its parts)
    except ImportError:
        log.get("native").warning(f"{TRUSTED_KEYS_ENV} is set but the cryptography package is not installed "
                                  f"(pip install 'wasmimage[signed]'); ignoring {signature}")
        return None
    return verify(message, files.read_capped(signature, MAX_SIGNATURE_BYTES, follow_links=True).decode("ascii", "replace"),
                  keys)
