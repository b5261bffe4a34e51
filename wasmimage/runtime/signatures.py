"""Checking image signatures: an OpenSSH signature (SSHSIG) of image.json, by an Ed25519 key.

Why this format: `ssh-keygen -Y verify` checks it with no extra tool, keys are ordinary
OpenSSH keys (`ssh-keygen -t ed25519`), and the trusted keys are an OpenSSH allowed_signers
file; minisign and signify are not in Debian's default install, ssh-keygen is. We sign
(wasmimage/pipeline/signing.py) and verify (here) in Python, with the `cryptography` package, so
that running an image needs no subprocess.

image.json pins the sha256 of every file of the image (the .cwasm included), so its
signature vouches for the whole image. It sits beside it as `image.json.sig` and travels in
the OCI layer, so it survives a Dockerfile's `COPY --from=`.

Who may vouch is decided exactly as `ssh-keygen -Y verify` (OpenSSH 9.2, Debian 12) decides
it, line by line (man ssh-keygen, ALLOWED SIGNERS; tests/unit/test_signatures.py holds the
two to the same verdict): the principal is the image's name, which its signed image.json
states (as git presents a commit's signed committer), so a line `quickjs,cpython KEY` trusts
KEY for those two images only and `* KEY` for every image; `namespaces="..."` must allow
`wasmimage-image`; `valid-after`/`valid-before` bound when the key counts; a line that cannot
be read is reported and skipped, as ssh-keygen skips it. By hand:

    ssh-keygen -Y verify -f ALLOWED_SIGNERS -I IMAGE_NAME -n wasmimage-image -s image.json.sig < image.json

Where this is narrower than ssh-keygen, it refuses: only plain Ed25519 keys sign images
(publish makes no other kind), so an OpenSSH certificate (and with it a `cert-authority`
line, which vouches only for certificates) counts for nothing here, with a message saying so;
a key of another type in the file is read but never vouches.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmimage import files, log
from wasmimage.errors import InvalidInput, NotFound

SIGNATURE = "image.json.sig"  # beside image.json; the one file image.json cannot list
NAMESPACE = "wasmimage-image"  # SSHSIG namespace: a signature made for another purpose never counts here
TRUSTED_KEYS_ENV = "WASMIMAGE_TRUSTED_KEYS"  # an OpenSSH allowed_signers file (named in messages)
MAGIC = b"SSHSIG"
KEY_TYPE = b"ssh-ed25519"
ED25519 = KEY_TYPE.decode()
HASHES = {"sha512": hashlib.sha512, "sha256": hashlib.sha256}  # what ssh-keygen accepts; we sign with sha512
ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")
MAX_SIGNATURE = 64 * 1024  # an Ed25519 SSHSIG is under 300 bytes; a bigger file is not one

_log = log.get("native")


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


def signed_data(message: bytes, hash_name: str = "sha512") -> bytes:
    """What SSHSIG signs (PROTOCOL.sshsig): the magic, namespace, reserved, hash name, H(message)."""
    return MAGIC + string(NAMESPACE.encode()) + string(b"") + string(hash_name.encode()) + \
        string(HASHES[hash_name](message).digest())


# --- patterns (ssh_config(5) PATTERNS; OpenSSH's match.c) ------------------------------------

def match_pattern(text: str, pattern: str) -> bool:
    """`*` any run of characters, `?` any one, everything else itself; the whole text."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def match_pattern_list(text: str, patterns: str) -> int:
    """1 if a comma-separated pattern matches and no `!pattern` does, -1 if a negated one does, else 0."""
    positive = 0
    for pattern in patterns.split(",") if patterns else []:
        negated = pattern.startswith("!")
        pattern = pattern[negated:]
        if len(pattern) >= 1023:  # OpenSSH's buffer: a longer pattern matches nothing, and ends the list
            return 0
        if match_pattern(text, pattern):
            if negated:
                return -1
            positive = 1
    return positive


# --- allowed_signers lines (OpenSSH's sshsig.c, misc.c, authfile.c, as of 9.2) ---------------

# Every key type OpenSSH reads, by the family it parses to (a line's type and its blob's agree).
KEY_FAMILIES = {
    "ssh-ed25519": "ed25519", "ssh-ed25519-cert-v01@openssh.com": "ed25519-cert",
    "sk-ssh-ed25519@openssh.com": "ed25519-sk", "sk-ssh-ed25519-cert-v01@openssh.com": "ed25519-sk-cert",
    **{f"ecdsa-sha2-{curve}": f"ecdsa-{curve}" for curve in ("nistp256", "nistp384", "nistp521")},
    **{f"ecdsa-sha2-{curve}-cert-v01@openssh.com": f"ecdsa-{curve}-cert"
       for curve in ("nistp256", "nistp384", "nistp521")},
    "sk-ecdsa-sha2-nistp256@openssh.com": "ecdsa-sk", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com": "ecdsa-sk",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": "ecdsa-sk-cert",
    "ssh-rsa": "rsa", "rsa-sha2-256": "rsa", "rsa-sha2-512": "rsa",
    "ssh-rsa-cert-v01@openssh.com": "rsa-cert", "rsa-sha2-256-cert-v01@openssh.com": "rsa-cert",
    "rsa-sha2-512-cert-v01@openssh.com": "rsa-cert",
    "ssh-dss": "dsa", "ssh-dss-cert-v01@openssh.com": "dsa-cert",
}
_SEPARATORS = " \t\r\n"  # what splits the principals from the rest (misc.c strdelimw)


class BadLine(Exception):
    """A line ssh-keygen cannot read (it reports it and reads on)."""


@dataclass(frozen=True)
class AllowedSigner:
    """One allowed_signers line whose principals matched: its key and options."""

    where: str  # FILE:LINE
    principals: str  # the pattern-list as written
    key_type: str
    key: bytes  # the decoded key blob
    cert_authority: bool = False
    namespaces: str | None = None  # a pattern-list; None: any namespace
    valid_after: int = 0  # seconds since the epoch; 0: no bound (as in ssh-keygen)
    valid_before: int = 0

    def refuses(self, now: int) -> str:
        """Why this line does not vouch for an image signature at `now` ("" when it does)."""
        if self.namespaces is not None and match_pattern_list(NAMESPACE, self.namespaces) != 1:
            return f'the key is not permitted for signature namespace "{NAMESPACE}" (namespaces="{self.namespaces}")'
        if self.valid_after and now < self.valid_after:
            return f"the key is not valid yet (valid-after {_utc(self.valid_after)})"
        if self.valid_before and now > self.valid_before:
            return f"the key has expired (valid-before {_utc(self.valid_before)})"
        return ""


def _utc(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def principals_and_rest(line: str) -> tuple[str, str] | None:
    """The first word (quotes allowed) and what follows it; None for a blank or comment line."""
    text = line.lstrip(" \t")
    if not text or text.startswith("#"):
        return None
    at = next((i for i, c in enumerate(text) if c in _SEPARATORS or c == '"'), None)
    if at is None:
        raise BadLine("invalid line")
    if text[at] == '"':
        close = text.find('"', at + 1)
        if close < 0:
            raise BadLine("invalid line")
        return text[:at] + text[at + 1:close], text[close + 1:].lstrip(_SEPARATORS)
    return text[:at], text[at + 1:].lstrip(_SEPARATORS)


def _base64(text: str | bytes) -> bytes:
    """Base64 as OpenSSH decodes it (b64_pton): whitespace skipped, padding and unused bits exact."""
    compact = re.sub(rb"\s", b"", text.encode("latin-1") if isinstance(text, str) else text)
    data = base64.b64decode(compact, validate=True)
    if base64.b64encode(data) != compact:
        raise ValueError("not canonical base64")
    return data


def _key_type(blob: bytes) -> str:
    """The type a key blob names (its first string)."""
    (length,) = struct.unpack_from(">I", blob)
    if 4 + length > len(blob):
        raise ValueError("truncated")
    return blob[4:4 + length].decode("latin-1")


def read_key(text: str) -> tuple[str, bytes] | None:
    """`TYPE BASE64` at the start of text (a comment may follow), as OpenSSH reads a public key."""
    space = next((i for i, c in enumerate(text) if c in " \t"), None)
    if space is None or text[:space] not in KEY_FAMILIES:
        return None
    encoded = re.split(r"[ \t]", text[space:].lstrip(" \t"), maxsplit=1)[0]
    try:
        blob = _base64(encoded)
        if KEY_FAMILIES.get(_key_type(blob)) != KEY_FAMILIES[text[:space]]:
            return None
        if _key_type(blob) == ED25519 and len(_strings(blob, 2)[1]) != 32:
            return None
    except (binascii.Error, ValueError, struct.error):
        return None
    return text[:space], blob


def _past_options(text: str) -> int:
    """Where the options end: the first space or tab outside double quotes (-1: a quote is left open)."""
    quoted, at = False, 0
    while at < len(text) and (quoted or text[at] not in " \t"):
        if text[at] == "\\" and text[at + 1:at + 2] == '"':
            at += 1
        elif text[at] == '"':
            quoted = not quoted
        at += 1
    return -1 if quoted and at == len(text) else at


def _dequote(text: str) -> tuple[str, str]:
    """A double-quoted value (\\" inside for a quote) and what follows it."""
    if not text.startswith('"'):
        raise BadLine("bad options: missing start quote")
    value, at = [], 1
    while at < len(text) and text[at] != '"':
        if text[at] == "\\" and text[at + 1:at + 2] == '"':
            at += 1
        value.append(text[at])
        at += 1
    if at == len(text):
        raise BadLine("bad options: missing end quote")
    return "".join(value), text[at + 1:]


def parse_options(text: str) -> dict[str, Any]:
    """cert-authority, namespaces="...", valid-after="...", valid-before="..." (names in any case), as
    AllowedSigner's keyword arguments."""
    found: dict[str, Any] = {}
    while text and text[0] not in " \t":
        lowered = text.lower()
        if lowered.startswith("cert-authority"):
            found["cert_authority"], text = True, text[len("cert-authority"):]
        else:
            for name, field in (("namespaces", "namespaces"), ("valid-after", "valid_after"),
                                ("valid-before", "valid_before")):
                if lowered.startswith(name + "="):
                    if field in found:
                        raise BadLine(f'bad options: multiple "{name}" clauses')
                    value, text = _dequote(text[len(name) + 1:])
                    found[field] = value if field == "namespaces" else absolute_time(value)
                    if found[field] == 0:
                        raise BadLine(f'bad options: invalid "{name}" time')
                    break
        if not text or text[0] in " \t":
            break
        if text[0] != ",":
            raise BadLine("bad options: unknown key option")
        text = text[1:]
        if not text:
            raise BadLine("bad options: unexpected end-of-options")
    if found.get("valid_after") and found.get("valid_before") and found["valid_before"] <= found["valid_after"]:
        raise BadLine('bad options: "valid-before" time is before "valid-after"')
    return found


def _strptime_number(part: str, low: int, high: int) -> int | None:
    """`part` read as glibc's strptime reads one number: spaces skipped, then digits while the value
    can still grow within `high`; None unless that reads all of `part` (the layout's next separator
    or the end must follow) and lands within low..high."""
    digits = part.lstrip(" \t\n\v\f\r")
    value, used = 0, 0
    while used < len(digits) and digits[used].isascii() and digits[used].isdigit() and (not used or value * 10 <= high):
        value, used = value * 10 + int(digits[used]), used + 1
    return value if used and used == len(digits) and low <= value <= high else None


def absolute_time(text: str) -> int:
    """YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z] (or ...UTC) in seconds since the epoch; 0 if not one.

    As ssh-keygen reads it: local time unless it ends in Z or UTC, the fields at fixed places
    and each read by strptime (glibc's, which skips spaces before a number), a day past the
    month's end carried into the next, and daylight saving time taken as off (tm_isdst 0).
    """
    utc = False
    for suffix in ("z", "utc"):
        if len(text) > len(suffix) and text.lower().endswith(suffix):
            utc, text = True, text[:-len(suffix)]
            break
    widths = {8: (4, 2, 2), 12: (4, 2, 2, 2, 2), 14: (4, 2, 2, 2, 2, 2)}.get(len(text), ())
    ranges = ((0, 9999), (1, 12), (1, 31), (0, 23), (0, 59), (0, 61))
    fields: list[int] = []
    start = 0
    for width, (low, high) in zip(widths, ranges, strict=False):  # the layout's fields, of all six ranges
        number = _strptime_number(text[start:start + width], low, high)
        if number is None:
            return 0
        fields.append(number)
        start += width
    if not fields:
        return 0
    year, month, day, hour, minute, second = (*fields, 0, 0, 0)[:6]
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second)) if utc else \
            int(time.mktime((year, month, day, hour, minute, second, 0, 0, 0)))
    except (ValueError, OverflowError):
        return 0
    return max(seconds, 0)


def read_line(line: str, where: str, principal: str) -> AllowedSigner | None:
    """The line's key and options if it lists `principal`; None if it does not (or is blank); else BadLine."""
    split = principals_and_rest(line)
    if split is None:
        return None
    principals, rest = split
    if match_pattern_list(principal, principals) != 1:
        return None
    key, options = read_key(rest), ""
    if key is None:
        end = _past_options(rest)
        if end < 0:
            raise BadLine("invalid options")
        if end == len(rest):
            raise BadLine("missing key")
        options, key = rest[:end], read_key(rest[end + 1:].lstrip(" \t"))
        if key is None:
            raise BadLine("invalid key")
    return AllowedSigner(where, principals, *key, **parse_options(options))


def _lines(text: str) -> list[str]:
    """The file's lines as C's getline gives them: each with its newline, cut at a NUL byte."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return [line.split("\0", 1)[0] for line in lines]


def vouching(allowed_signers: str, name: str, key: bytes, principal: str, now: int) -> AllowedSigner | None:
    """The allowed_signers line that vouches for `key` signing as `principal` at `now`, as ssh-keygen decides.

    Lines are read in order and the first that vouches wins. Why a line that lists the principal
    does not vouch (it cannot be read; its key is a certificate authority, or restricted to other
    namespaces or times) is logged, naming FILE:LINE, as ssh-keygen reports it.
    """
    for number, line in enumerate(_lines(allowed_signers), 1):
        where = f"{name}:{number}"
        try:
            entry = read_line(line, where, principal)
        except BadLine as exc:
            _log.warning(f"{where}: {exc}; line skipped ({TRUSTED_KEYS_ENV})")
            continue
        if entry is None or entry.key != key:
            continue
        if entry.cert_authority:
            _log.warning(f"{where}: cert-authority: the key is trusted only to certify other keys, and certificates "
                         f"are not supported; list the signing key without cert-authority to trust its signatures")
            continue
        reason = entry.refuses(now)
        if not reason:
            return entry
        _log.warning(f"{where}: {reason}")
    return None


# --- the signature -------------------------------------------------------------------------

@dataclass(frozen=True)
class Signature:
    """A parsed SSHSIG made in our namespace: the signing key's blob, the hash, the signature blob."""

    key: bytes
    hash_name: str
    blob: bytes

    @property
    def key_type(self) -> str:
        return _key_type(self.key)


def parse_signature(armored: bytes) -> Signature | None:
    """The SSHSIG in `armored`, dearmored and read as ssh-keygen does, if made in our namespace; else None."""
    begin = ARMOR[0].encode() + b"\n"
    end = armored.find(b"\n" + ARMOR[1].encode(), len(begin))
    if not armored.startswith(begin) or end < 0:
        return None
    try:
        blob = _base64(armored[len(begin):end])
        if not blob.startswith(MAGIC) or struct.unpack_from(">I", blob, len(MAGIC))[0] > 1:
            return None
        key, namespace, _reserved, hash_name, signature = _strings(blob[len(MAGIC) + 4:], 5)
        _key_type(key)
    except (binascii.Error, ValueError, struct.error):
        return None
    if namespace != NAMESPACE.encode() or hash_name.decode("latin-1") not in HASHES:
        return None
    return Signature(key, hash_name.decode(), signature)


def verify(message: bytes, signature: Signature) -> bool:
    """Whether `signature` is an Ed25519 signature of message by its own key (who that is: vouching())."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key_type, public = _strings(signature.key, 2)
        sig_type, raw = _strings(signature.blob, 2)
        if (key_type, sig_type) != (KEY_TYPE, KEY_TYPE) or len(public) != 32:
            return False
        Ed25519PublicKey.from_public_bytes(public).verify(raw, signed_data(message, signature.hash_name))
    except (ValueError, struct.error, InvalidSignature):
        return False
    return True


def signer(message: bytes, signature: Path, allowed_signers: Path | None, principal: str,
           now: float | None = None) -> AllowedSigner | None:
    """The allowed_signers line that vouches for the signature file `signature` of message as `principal`.

    None when nothing vouches (no file, no signature, a bad one, a key the file does not allow
    for this principal, namespace or time); the reason is logged when the file lists the key.
    Without the `cryptography` package (`pip install wasmimage[signed]`) no signature counts:
    the image then runs from its .wasm, compiled here (runtime/native.py), which is safe.
    """
    if allowed_signers is None or not signature.is_file():
        return None
    try:
        text = allowed_signers.read_bytes().decode("latin-1")  # byte for byte, as ssh-keygen compares
    except OSError as exc:
        kind = NotFound if isinstance(exc, FileNotFoundError) else InvalidInput
        raise kind(f"{TRUSTED_KEYS_ENV}={allowed_signers}: cannot read it: {exc.strerror}") from None
    try:
        import cryptography  # noqa: F401  (verify imports its parts)
    except ImportError:
        _log.warning(f"{TRUSTED_KEYS_ENV} is set but the cryptography package is not installed "
                     f"(pip install 'wasmimage[signed]'); ignoring {signature}")
        return None
    try:
        armored = files.read_capped(signature, MAX_SIGNATURE, follow_links=True)
    except InvalidInput as exc:  # not a regular file, or too big to be a signature
        _log.warning(f"{exc}; it counts for nothing")
        return None
    parsed = parse_signature(armored)
    if parsed is None:
        return None
    if parsed.key_type != ED25519:
        _log.warning(f"{signature}: made with a {parsed.key_type} key; only plain Ed25519 keys sign images "
                     f"(OpenSSH certificates are not supported), so it counts for nothing")
        return None
    if not verify(message, parsed):
        return None
    return vouching(text, str(allowed_signers), parsed.key, principal, int(time.time() if now is None else now))
