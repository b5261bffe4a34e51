"""Pipeline: a clean `doit build:quickjs` in a fresh copy, a no-op one, and a cache-hit one.

The copy holds the files git knows, tracked or untracked-but-not-ignored (what a fresh
clone of this checkout would hold once committed: no build outputs, no caches) and shares this
checkout's source cache through WASMIMAGE_CACHE_DIR, so a clean build is everything but the
download: unpack, compile, AOT, verify, image.
Each clean build gets an empty artifact cache of its own; the cache-hit builds then run in
further fresh copies that share the last clean build's artifact cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.context import RECIPE, Context
from benchmarks.results import Goal, Row, Section
from benchmarks.stats import Stat

GOAL_NOOP_SECONDS = 1.0
SECTION = "pipeline"
TASK = f"build:{RECIPE}"


@dataclass(frozen=True)
class DoitRun:
    seconds: float
    returncode: int
    ran: tuple[str, ...]  # tasks doit executed rather than skipped as up to date
    output: str


def doit(project: Path, env: dict[str, str]) -> DoitRun:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "doit", TASK], cwd=project, env=env, capture_output=True,
                            text=True, check=False)
    seconds = time.perf_counter() - started
    ran = tuple(line[3:].strip() for line in result.stdout.splitlines() if line.startswith(".  "))
    return DoitRun(seconds, result.returncode, ran, result.stdout + result.stderr)


def build_env(ctx: Context, artifact_cache: Path) -> dict[str, str]:
    """The doit run's environment: this one's, the copy's own build trees, the shared source cache."""
    env = {k: v for k, v in os.environ.items() if k != "WASMIMAGE_WORK_DIR"}
    env["WASMIMAGE_CACHE_DIR"] = str(ctx.project.fetch_settings.cache_dir.resolve())
    env["WASMIMAGE_ARTIFACT_CACHE"] = str(artifact_cache)
    return env


def copy_project(root: Path, dest: Path) -> Path:
    """Copy the files git knows in `root` (tracked, or untracked and not ignored) to `dest`; git is only read."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = root / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _failure(run: DoitRun) -> str:
    tail = [line for line in run.output.strip().splitlines() if line.strip()][-1:] or ["no output"]
    return f"failed (exit {run.returncode}): {tail[0][:160]}"


def clean_builds(ctx: Context, work: Path) -> tuple[Row, Path | None]:
    """Timed clean builds, each in its own fresh copy; returns the row and the last built copy."""
    name = f"clean `doit {TASK}` in a fresh copy (shared source cache)"
    runs, last = [], None
    for index in range(ctx.settings.clean_builds + min(ctx.settings.warmup, 1)):
        copy = copy_project(ctx.root, work / f"copy-{index}")
        _log(f"clean build {index + 1} in {copy}")
        run = doit(copy, build_env(ctx, copy / ".cache" / "artifacts"))
        if run.returncode != 0:
            return Row("pipeline.clean", SECTION, name, _failure(run)), None
        runs.append(run.seconds)
        last = copy
    untimed = min(ctx.settings.warmup, 1)
    return Row("pipeline.clean", SECTION, name, Stat.of(runs[untimed:]),
               note="after one untimed warm-up build" if untimed else ""), last


def noop_builds(ctx: Context, project: Path, where: str) -> Row:
    name = f"no-op `doit {TASK}` ({where})"
    env = build_env(ctx, project / ".cache" / "artifacts") if project != ctx.root else dict(os.environ)
    first = doit(project, env)  # warm-up: also brings a stale checkout up to date
    if first.returncode != 0:
        return Row("pipeline.noop", SECTION, name, _failure(first))
    runs = [doit(project, env) for _ in range(ctx.settings.noop_reps)]
    ran = sorted({task for run in runs for task in run.ran})
    if any(run.returncode for run in runs):
        return Row("pipeline.noop", SECTION, name, _failure(next(r for r in runs if r.returncode)))
    note = f"tasks still ran: {', '.join(ran)}" if ran else "no task ran"
    return Row("pipeline.noop", SECTION, name, Stat.of(r.seconds for r in runs), note=note)


def cache_hit_builds(ctx: Context, work: Path, built: Path) -> Row:
    """Fresh copies whose artifact cache is the one the clean build filled: nothing compiles."""
    name = f"cache-hit `doit {TASK}` in a fresh copy (artifact cache from the clean build)"
    runs = []
    for index in range(ctx.settings.clean_builds):
        copy = copy_project(ctx.root, work / f"hit-{index}")
        run = doit(copy, build_env(ctx, built / ".cache" / "artifacts"))
        if run.returncode != 0:
            return Row("pipeline.clone", SECTION, name, _failure(run))
        if "[build " in run.output or "[aot] compiled" in run.output:
            return Row("pipeline.clone", SECTION, name, "failed: the build compiled instead of hitting the cache")
        runs.append(run.seconds)
    return Row("pipeline.clone", SECTION, name, Stat.of(runs), note="no compile, no AOT compile")


def pipeline(ctx: Context) -> Section:
    section = Section()
    with tempfile.TemporaryDirectory(prefix="wasmimage-bench-") as tmp:
        if ctx.settings.clean_builds:
            clean, built = clean_builds(ctx, Path(tmp))
            noop = noop_builds(ctx, built, "in that copy") if built else Row(
                "pipeline.noop", SECTION, f"no-op `doit {TASK}`", "not measured: the clean build failed")
            hit = cache_hit_builds(ctx, Path(tmp), built) if built else Row(
                "pipeline.clone", SECTION, f"cache-hit `doit {TASK}`", "not measured: the clean build failed")
        else:
            clean = Row("pipeline.clean", SECTION, f"clean `doit {TASK}` in a fresh copy", "skipped (--quick)")
            noop = noop_builds(ctx, ctx.root, "this checkout")
            hit = Row("pipeline.clone", SECTION, f"cache-hit `doit {TASK}` in a fresh copy", "skipped (--quick)")
    section.rows += [clean, noop, hit]
    measured = isinstance(noop.value, Stat)
    section.goals.append(Goal("no-op build", f"< {GOAL_NOOP_SECONDS:g} s",
                              noop.value_text() if measured else noop.value,
                              noop.value.median < GOAL_NOOP_SECONDS if measured else None))
    return section


def _log(message: str) -> None:
    print(f"[bench] pipeline: {message}", file=sys.stderr, flush=True)
