"""Each engine profile's .cwasm in that profile's own wasmtime CLI, a fresh process per run.

What a consumer such as the Wikifunctions evaluator pays per process start, measured in the
engine it runs (engines.py, the CLI installed by tools.py), on print("hi"):

  AOT  `wasmtime run --allow-precompiled IMAGE.PROFILE.cwasm`: deserialize (mmap) + instantiate + run
  JIT  `wasmtime run IMAGE.wasm` with the same flags and no compile cache: compile + instantiate + run

Both run exactly as the proof does (prove.Engine: the profile's flags, argv, the script in
/script, the image's mounted files), so JIT minus AOT is what loading the .cwasm saves each
process. A profile whose CLI cannot be installed here is a "not available" row saying why.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.context import HELLO, Context
from benchmarks.results import Row
from benchmarks.stats import measure
from wasmimage.errors import PipelineError
from wasmimage.pipeline.prove import FUEL, Engine, stage_mounts
from wasmimage.runtime.image import Image

JIT_REPS = 3  # a Python interpreter's JIT compile takes seconds


def _runner(engine: Engine, work: Path) -> Callable[[], None]:
    command = engine.command(work, 1 << 30, {}, {})

    def run() -> None:
        done = subprocess.run(command, capture_output=True, cwd=work, env={"PATH": "/usr/bin:/bin"}, check=False)
        if done.returncode != 0 or done.stdout != b"hi\n":
            raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}, {done.stdout[-200:]!r} "
                               f"{done.stderr.decode(errors='replace')[-400:]}")

    return run


def cli_rows(ctx: Context, image: Image, key_prefix: str, section: str, jit: bool = True) -> list[Row]:
    """The `cold.cli.PROFILE` rows (and `.jit` beside each) for every engine profile the image carries."""
    rows = []
    for name, entry in sorted(image.manifest.get("engines", {}).items()):
        key, label = f"{key_prefix}cold.cli.{name}", f"{image.name}: wasmtime {entry['wasmtime']} CLI ({name})"
        aot_name = f"{label}: run --allow-precompiled .cwasm, print(\"hi\") (fresh process)"
        jit_name = f"{label}: run .wasm, compiled in the process (no cache), print(\"hi\") (fresh process)"
        try:
            profile = ctx.project.profiles[name]
            compiler = ctx.project.installed_compiler(profile)
        except (KeyError, PipelineError) as exc:
            rows.append(Row(key, section, aot_name, "not available", note=str(exc)[:300]))
            continue
        with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
            work = Path(tmp)
            (work / "script").mkdir()
            (work / "script" / image.run.script_name).write_bytes(HELLO)
            mounts = stage_mounts(image.run, image.path, image.manifest["files"], work / "mounts")
            aot = _runner(Engine(profile, compiler, image.path / entry["file"], image.run, mounts), work)
            aot_stat = measure(aot, ctx.settings.reps, ctx.settings.warmup)
            if not jit:
                rows += [Row(key, section, aot_name, aot_stat),
                         Row(f"{key}.jit", section, jit_name, "skipped (--quick)")]
                continue
            jit_run = _runner(Engine(profile, compiler, image.file("wasm"), image.run, mounts), work)
            jit_stat = measure(jit_run, min(ctx.settings.slow_reps, JIT_REPS), 0)
        rows += [Row(key, section, aot_name, aot_stat, baseline=jit_stat, baseline_name="JIT in that CLI",
                     ratio=jit_stat.median / aot_stat.median, ratio_label="× faster",
                     note=f"saves {(jit_stat.median - aot_stat.median) * 1000:,.0f} ms per process start; "
                          f"fuel metered ({FUEL:,} units)"),
                 Row(f"{key}.jit", section, jit_name, jit_stat)]
    return rows
