"""The Python images (every recipe whose language is Python): sizes, cold start, warm call, steady state
vs native CPython 3.13.

Each image present under the Python images directory is measured; an absent one gets a
"not available" row saying where it was looked for. The steady-state workloads
(pyworkloads.py) run through the runner in the image and as scripts in a native CPython
3.13 built from the cpython recipe's own pinned tarball (native_python.py); each image
runs interleaved with that native side, and the results must agree. One native side for
all, so two CPython images (3.13 and 3.14) compare side by side through the same baseline.
"""

from __future__ import annotations

import sys

import wasmtime

from benchmarks.context import HELLO, Context
from benchmarks.engine_cli import cli_rows
from benchmarks.native_python import (
    build_native_cpython,
    build_native_rustpython,
    native_cpython_path,
    native_rustpython_path,
)
from benchmarks.pyworkloads import PY_WORKLOADS
from benchmarks.results import Goal, Row, Section
from benchmarks.stats import Stat, fmt_seconds, geomean, measure
from benchmarks.steady import Side, Timings, native_side, run_matrix, runner_side
from benchmarks.warm import cpu_in_turns, throughputs, wikifunctions_cpu, wikifunctions_goal, wikifunctions_sides
from wasmimage.runtime.engine import engine, load
from wasmimage.runtime.image import Image
from wasmimage.runtime.runner import Program, load_program, program_from_run, run_program

SECTION = "python"
NATIVE = "native CPython 3.13"
NATIVE_RUSTPYTHON = "native RustPython 0.6.0"
JIT_REPS = 3  # a JIT compile of a Python interpreter takes 7–35 s


def _hello(image: Image, module: wasmtime.Module) -> None:
    """The runner's first call: stage the mounted files (digest-checked), instantiate, run print("hi")."""
    _check_hello(program_from_run(image.name, module, image.run, image.path, image.manifest["files"]))


def _check_hello(program: Program) -> None:
    result = run_program(program, HELLO)
    if result.stdout != b"hi\n":
        raise RuntimeError(f"{program.name}{' snapshot' if program.snapshot else ''}: print(\"hi\") gave "
                           f"{result.outcome}: {result.stdout!r} {result.stderr[-300:]!r}")


def size_rows(image: Image) -> list[Row]:
    name = image.name
    wasm, cwasm = image.file("wasm").stat().st_size, image.file("cwasm").stat().st_size
    rows = [Row(f"py.{name}.wasm", SECTION, f"{name}: .wasm", Stat.of([wasm]), unit="bytes"),
            Row(f"py.{name}.cwasm", SECTION, f"{name}: .cwasm", Stat.of([cwasm]), unit="bytes",
                baseline=Stat.of([wasm]), baseline_name=".wasm", ratio=cwasm / wasm, ratio_label="× the .wasm")]
    for guest, names in image.run.mounts:
        for file_name in names:
            rows.append(Row(f"py.{name}.mounted.{file_name}", SECTION, f"{name}: mounted {file_name} (at {guest})",
                            Stat.of([(image.path / file_name).stat().st_size]), unit="bytes"))
    return rows


def cold_rows(ctx: Context, image: Image) -> list[Row]:
    name, s = image.name, ctx.settings
    aot_stat = measure(
        lambda: _hello(image, load(image.file("cwasm"), image.sha256("cwasm"), image.manifest["engine"])),
        s.reps, s.warmup)
    aot_name = f'{name}: AOT: load .cwasm + stage mounts + instantiate + print("hi")'
    jit_name = f'{name}: JIT: compile .wasm (same config) + instantiate + print("hi")'
    if s.quick:
        return [Row(f"py.{name}.cold.aot", SECTION, aot_name, aot_stat),
                Row(f"py.{name}.cold.jit", SECTION, jit_name, "skipped (--quick)", note="a JIT compile takes 7–35 s"),
                *cli_rows(ctx, image, f"py.{name}.", SECTION, jit=False)]
    wasm = str(image.file("wasm"))
    jit_stat = measure(lambda: _hello(image, wasmtime.Module.from_file(engine(), wasm)), min(s.slow_reps, JIT_REPS), 0)
    return [Row(f"py.{name}.cold.aot", SECTION, aot_name, aot_stat, baseline=jit_stat, baseline_name="JIT",
                ratio=jit_stat.median / aot_stat.median, ratio_label="× faster"),
            Row(f"py.{name}.cold.jit", SECTION, jit_name, jit_stat),
            *cli_rows(ctx, image, f"py.{name}.", SECTION)]


def warm_rows(ctx: Context, image: Image) -> list[Row]:
    program, s = load_program(image, store=ctx.project.native_store), ctx.settings
    _check_hello(program)
    result = throughputs({"runner": lambda: run_program(program, HELLO)}, 1, s.warm_window, s.warm_windows,
                         s.warmup)["runner"]
    return [Row(f"py.{image.name}.warm", SECTION, f'{image.name}: warm calls/s, print("hi"), 1 thread',
                result.calls_per_second, unit="calls/s"),
            Row(f"py.{image.name}.warm.p50", SECTION, f"{image.name}: warm per-call latency p50",
                Stat.of([result.latency.quantile(0.5)]))]


def steady_rows(ctx: Context, image: Image, native: Side | None, why_not: str,
                 own_native: Side | None = None) -> list[Row]:
    """The workloads in the image vs native CPython; with `own_native`, also vs that native build
    of the image's own interpreter."""
    name = image.name
    if native is None:
        return [Row(f"py.{name}.steady.{w.name}", SECTION, f"{name}: {w.label(ctx.settings.quick)}", why_not)
                for w in PY_WORKLOADS]
    side = runner_side(f"{name} image", load_program(image, store=ctx.project.native_store))
    try:
        timings = run_matrix(ctx, [native, side, *([own_native] if own_native else [])], PY_WORKLOADS)
    except RuntimeError as exc:  # a disagreement or a failed run is this image's result, not the end of the run
        return [Row(f"py.{name}.steady", SECTION, f"{name}: steady state", "failed", note=str(exc)[:300])]
    rows = _steady_table(ctx, timings, name, side.name, native.name)
    if own_native:
        mean = timings.geomean(side.name, own_native.name)
        detail = ", ".join(f"{w} {r:.2f}" for w, r in timings.ratios(side.name, own_native.name).items())
        rows.append(Row(f"py.{name}.native", SECTION, f"{name}: geometric mean of the ratios vs {own_native.name}",
                        Stat.of([mean]), unit="x", ratio=mean, ratio_label="× native",
                        note=f"{detail}; CPU time: {timings.geomean(side.name, own_native.name, 'cpu'):.2f}×"))
    return rows


def _steady_table(ctx: Context, timings: Timings, name: str, image: str, native: str) -> list[Row]:
    wall, cpu = timings.ratios(image, native), timings.ratios(image, native, "cpu")
    rows = [Row(f"py.{name}.steady.{w.name}", SECTION, f"{name}: {w.label(ctx.settings.quick)}",
                timings.wall[image][w.name], baseline=timings.wall[native][w.name], baseline_name="native",
                ratio=wall[w.name], ratio_label="× native",
                note=f"CPU time: {fmt_seconds(timings.cpu[image][w.name].median)} vs "
                     f"{fmt_seconds(timings.cpu[native][w.name].median)}, {cpu[w.name]:.2f}×")
            for w in PY_WORKLOADS]
    mean = geomean(wall.values())
    rows.append(Row(f"py.{name}.steady.geomean", SECTION, f"{name}: geometric mean of the ratios vs {NATIVE}",
                    Stat.of([mean]), unit="x", ratio=mean, ratio_label="× native",
                    note=f"CPU time: {geomean(cpu.values()):.2f}×"))
    return rows


def native_cpython(ctx: Context) -> tuple[Side | None, str]:
    """The native side, or why there is none (--quick never spends minutes building it)."""
    recipe = ctx.project.recipe("cpython")
    if ctx.settings.quick and not native_cpython_path(recipe, ctx.scratch).is_file():
        return None, "skipped (--quick): native CPython not built yet (a full run builds it once)"
    binary = build_native_cpython(recipe, ctx.project.fetch_settings, ctx.scratch)
    return native_side(binary, ctx.scratch, NATIVE, "workload.py"), ""


def native_rustpython(ctx: Context) -> tuple[Side | None, str]:
    """Native RustPython, or why there is none: --quick never builds it, nor (about 15 CPU-minutes) does a
    full run unless --native-rustpython asks for it."""
    recipe = ctx.project.recipe("rustpython")
    if not native_rustpython_path(recipe, ctx.scratch).is_file() and (ctx.settings.quick or not ctx.native_rustpython):
        return None, "not built (about 15 CPU-minutes): run with --native-rustpython once, then it is reused"
    try:
        binary = build_native_rustpython(recipe, ctx.project.fetch_settings, ctx.scratch)
    except RuntimeError as exc:
        return None, f"its build failed: {str(exc).splitlines()[0][:200]}"
    return native_side(binary, ctx.scratch, NATIVE_RUSTPYTHON, "workload.py"), ""


def python_recipes(ctx: Context) -> list[str]:
    """The recipes this section measures: every one whose language is Python, in name order."""
    return [recipe.name for recipe in ctx.project.recipes if recipe.language == "python"]


def python_images(ctx: Context) -> Section:
    section = Section()
    images = {}
    for name in python_recipes(ctx):
        image, source = ctx.image_of(name)
        if image is None:
            section.rows.append(Row(f"py.{name}", SECTION, f"{name} image", "not available",
                                    note=f"no image at {source}"))
            section.goals.append(wikifunctions_goal(name, ctx.project.recipe(name).language, "no image", None))
        else:
            images[name] = image
    native, why_not = native_cpython(ctx) if images else (None, "")
    for name, image in images.items():
        _log(f"{name}: sizes, cold start, warm call")
        section.rows += size_rows(image) + cold_rows(ctx, image) + warm_rows(ctx, image)
        _log(f"{name}: steady state")
        own, own_why_not = native_rustpython(ctx) if name == "rustpython" and native else (None, why_not)
        section.rows += steady_rows(ctx, image, native, why_not, own)
        if name == "rustpython" and own is None:
            section.rows.append(Row("py.rustpython.native", SECTION, f"rustpython: steady state vs {NATIVE_RUSTPYTHON}",
                                    "not measured", note=own_why_not))
        section.extend(snapshot_rows(ctx, image))
    return section


GOAL_SNAPSHOT_SPEEDUP = 10.0  # issue 15: a Python call from a snapshot, vs one that boots the interpreter


def snapshot_rows(ctx: Context, image: Image) -> Section:
    """Process CPU per warm call, snapshot vs command, taking turns in the same run: print("hi") (the goal: 10×
    less) and a trivial Wikifunctions request (the goal: ≤ 2 ms; from the command if the image has no snapshot)."""
    name, s, store = image.name, ctx.settings, ctx.project.native_store
    snapshot, command = load_program(image, store=store), load_program(image, snapshot=False, store=store)
    hello = {"snapshot": snapshot, "command": command} if snapshot.snapshot else {}
    sides = {**{side: lambda p=program: run_program(p, HELLO) for side, program in hello.items()},
             **wikifunctions_sides(image, command if hello else None)}
    for program in hello.values():
        _check_hello(program)
    for side in sides.values():
        for _ in range(max(s.warmup, 1) * 5):
            side()
    cpu = cpu_in_turns(sides, s.warm_windows, s.warm_window)[0]
    section = wikifunctions_cpu(f"py.{name}.wikifunctions", SECTION, image, cpu)
    key, what = f"py.{name}.snapshot", f'{name}: process CPU per warm call, print("hi"), snapshot'
    if not hello:
        section.rows.insert(0, Row(key, SECTION, what, "not available",
                                   note="the image has no snapshot (docs/snapshot.md says why)"))
        return section
    ratio = cpu["command"].median / cpu["snapshot"].median
    section.rows.insert(0, Row(key, SECTION, what, cpu["snapshot"], baseline=cpu["command"],
                               baseline_name="command (no snapshot)", ratio=ratio, ratio_label="× less CPU"))
    section.goals.insert(0, Goal(f"{name}: warm call, snapshot vs no snapshot",
                                 f"≥ {GOAL_SNAPSHOT_SPEEDUP:g}× less CPU", f"{ratio:.1f}×",
                                 ratio >= GOAL_SNAPSHOT_SPEEDUP))
    return section


def _log(message: str) -> None:
    print(f"[bench] python: {message}", file=sys.stderr, flush=True)
