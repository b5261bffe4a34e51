"""Size: the image's .wasm and .cwasm, and the whole image directory as a tar, gzip -9."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

from benchmarks.context import Context
from benchmarks.results import Row, Section
from benchmarks.stats import Stat

SECTION = "size"


def image_tgz_size(directory: Path, top: str) -> int:
    """Bytes of a deterministic tar of `directory` (sorted, zeroed times and owners) at gzip -9."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(directory.iterdir()):
            info = tar.gettarinfo(str(path), arcname=f"{top}/{path.name}")
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with path.open("rb") as f:
                tar.addfile(info, f)
    return len(gzip.compress(raw.getvalue(), compresslevel=9, mtime=0))


def size(ctx: Context) -> Section:
    image = ctx.image
    wasm, cwasm = image.file("wasm").stat().st_size, image.file("cwasm").stat().st_size
    tgz = image_tgz_size(image.path, f"{image.name}-{image.manifest['tag']}")
    return Section(rows=[
        Row("size.wasm", SECTION, ".wasm", Stat.of([wasm]), unit="bytes"),
        Row("size.cwasm", SECTION, ".cwasm (native code for this machine)", Stat.of([cwasm]), unit="bytes",
            baseline=Stat.of([wasm]), baseline_name=".wasm", ratio=cwasm / wasm, ratio_label="× the .wasm"),
        Row("size.image_tgz", SECTION, "image directory as tar, gzip -9", Stat.of([tgz]), unit="bytes",
            note=", ".join(sorted(p.name for p in image.path.iterdir()))),
    ])
