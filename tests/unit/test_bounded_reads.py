"""Files an image brings are read with a size cap and only if they are regular files (issue 24 item 8).

A 3 GiB sparse image.json.sig took 6.3 GB of memory; image.json was read whole too. Each test
counts what this process read (/proc/self/io's rchar), so it fails if the cap is not applied
before reading, not only if the error message changes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from wasmimage.errors import InvalidInput
from wasmimage.runtime import signatures
from wasmimage.runtime.image import MAX_MANIFEST_BYTES, open_image

SPARSE = 64 << 20  # 64 MiB to read, nothing to store


def bytes_read() -> int:
    return int(dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())["rchar"])


def sparse(path: Path) -> Path:
    with open(path, "wb") as f:
        f.truncate(SPARSE)
    return path


def test_a_huge_image_json_is_refused_after_reading_its_cap(tmp_path):
    sparse(tmp_path / "image.json")
    before = bytes_read()
    with pytest.raises(InvalidInput, match=f"image.json: over the {MAX_MANIFEST_BYTES}-byte limit; refusing it"):
        open_image(tmp_path)
    assert bytes_read() - before < 2 * MAX_MANIFEST_BYTES


def test_an_image_json_that_is_a_fifo_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "image.json")
    with pytest.raises(InvalidInput, match="image.json: a FIFO; refusing it"):
        open_image(tmp_path)


def test_a_huge_signature_counts_for_nothing_after_reading_its_cap(tmp_path, capfd):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "builder", "-f", str(tmp_path / "key")],
                   check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("builder " + " ".join((tmp_path / "key.pub").read_text().split()[:2]) + "\n")
    before = bytes_read()
    assert signatures.signer(b"{}", sparse(tmp_path / "image.json.sig"), allowed, "builder") is None
    assert bytes_read() - before < 1 << 20
    assert f"image.json.sig: over the {signatures.MAX_SIGNATURE}-byte limit" in capfd.readouterr().err
