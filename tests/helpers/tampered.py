"""Images as an attacker would hand them over: files replaced, image.json rewritten to match, so
every digest checks out and only the runner's other checks stand between them and the host."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from wasmimage.runtime.image import MANIFEST


def derived_image(source: Path, dest: Path, replace: dict[str, bytes] | None = None,
                  edit: Callable[[dict], None] | None = None) -> Path:
    """A copy of the image `source` at `dest` with files replaced (by role: bytes) and image.json edited
    by `edit(manifest)`, then made to list every file's real sha256 and size again."""
    image = Path(shutil.copytree(source, dest))
    manifest = json.loads((image / MANIFEST).read_text())
    for role, data in (replace or {}).items():
        (image / manifest["roles"][role]).write_bytes(data)
    if edit is not None:
        edit(manifest)
    for name in manifest["files"]:
        if (image / name).is_file():
            data = (image / name).read_bytes()
            manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (image / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return image
