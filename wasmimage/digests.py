"""The digest rules, in one place: how a value becomes bytes, and how bytes become a sha256.

Every build key, cache seal and OCI blob is hashed through these functions, so one value
gives the same bytes wherever it is digested. Text is always UTF-8 as written (never
`\\u` escapes): that is what OCI registries and RFC 8785 expect, and for ASCII it is the
same bytes as the escaped form the build keys were first defined with.

Two JSON layouts exist, for a reason:
  canonical_json  sorted keys, no whitespace: everything new, build keys, cache seals, OCI.
  spaced_json     sorted keys, Python's default ", " and ": ": the recipe digest (part of
                  every compile key) and the runtime's compiled-module names were defined
                  with it; switching them would change every existing key for no gain.

Standard library only: the runtime half imports it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHUNK = 1 << 16


def canonical_json(value: Any) -> bytes:
    """The one serialisation we digest: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def spaced_json(value: Any) -> bytes:
    """canonical_json with Python's default separators: only for the two older keys (see above)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_chunks(chunks: Iterable[bytes]) -> str:
    """Hex sha256 of bytes that arrive in pieces (a stream read CHUNK at a time, say)."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (a .cwasm is tens of MB)."""
    with path.open("rb") as f:
        return sha256_chunks(iter(lambda: f.read(CHUNK), b""))


def sha256_json(value: Any) -> str:
    """Hex sha256 of a JSON-able value in canonical form (what a build key is)."""
    return sha256_hex(canonical_json(value))


def sha256_digest(data: bytes) -> str:
    """The OCI form of a digest: `sha256:<hex>`."""
    return "sha256:" + sha256_hex(data)
