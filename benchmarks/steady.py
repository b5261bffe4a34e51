"""Steady state: the QuickJS image (through the runner) vs a native build of the same sources.

Primary clock: inside the script (see workloads.py), so neither side's process or instance
start-up, nor the runner's per-call work, is counted: the ratio is the interpreter's own
speed as wasm vs as native code. The sides run interleaved, round by round, so slow
phases of a shared machine hit all of them alike.

Cross-check: CPU time, which other load on the machine disturbs far less than wall time.
Each round also runs every script with 0 timed iterations; the CPU time of the full run
minus that of the short one, divided by the iterations, is the CPU time of one iteration
(in-process sides: this process's CPU time, whichever thread the guest runs on; native:
the child's rusage). Constant costs (start-up, input generation, warm-up) cancel out.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.context import WORKLOAD_LIMITS, Context
from benchmarks.direct import DirectProgram
from benchmarks.native import build_native
from benchmarks.results import Goal, Lever, Row, Section
from benchmarks.stats import Stat, fmt_bytes, fmt_seconds, geomean
from benchmarks.variants import Variant, available, lever_variants, variant_wasm
from benchmarks.workloads import WORKLOADS
from wasmimage.runtime.engine import AOT_CONFIG
from wasmimage.runtime.runner import Program, program_from_run, run_program

GOAL_RATIO = 1.5
SECTION = "steady state"


@dataclass(frozen=True)
class ScriptResult:
    times: tuple[float, ...]  # wall seconds per timed iteration, measured in the script
    check: str
    cpu: float  # CPU seconds of the whole run


@dataclass(frozen=True)
class Side:
    """Something that runs a workload script: the native binary, the image, a lever variant."""

    name: str
    run: Callable[[str], ScriptResult]


@dataclass
class Timings:
    """Per side and workload: in-script wall times, and CPU seconds per iteration."""

    wall: dict[str, dict[str, Stat]]
    cpu: dict[str, dict[str, Stat]]
    rounds: list[dict[str, dict[str, float]]]  # per round: side -> workload -> median wall time

    def ratios(self, side: str, native: str, clock: str = "wall") -> dict[str, float]:
        table = self.wall if clock == "wall" else self.cpu
        return {w: table[side][w].median / table[native][w].median for w in table[side]}

    def geomean(self, side: str, native: str, clock: str = "wall") -> float:
        return geomean(self.ratios(side, native, clock).values())

    def round_geomeans(self, side: str, native: str) -> Stat:
        """The wall-clock geomean of each round on its own: how much it moves from round to round."""
        return Stat.of(geomean(r[side][w] / r[native][w] for w in r[side]) for r in self.rounds)


def parse_output(stdout: bytes, cpu: float, where: str) -> ScriptResult:
    try:
        data = json.loads(stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"{where}: no result line in output: {stdout[-500:]!r}") from None
    return ScriptResult(tuple(t / 1000 for t in data["times_ms"]), data["check"], cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def native_side(binary: Path, scratch: Path, name: str = "native (gcc -O2)", script_name: str = "workload.js") -> Side:
    def run(script: str) -> ScriptResult:
        path = scratch / script_name
        path.write_text(script)
        before = _children_cpu()
        result = subprocess.run([str(binary), str(path)], capture_output=True, check=False)
        cpu = _children_cpu() - before
        if result.returncode != 0:
            raise RuntimeError(f"native run failed ({result.returncode}): {result.stderr[-500:]!r}")
        return parse_output(result.stdout, cpu, name)

    return Side(name, run)


def runner_side(name: str, program: Program) -> Side:
    def run(script: str) -> ScriptResult:
        before = time.process_time()
        result = run_program(program, script.encode(), limits=WORKLOAD_LIMITS)
        cpu = time.process_time() - before
        if result.outcome != "ok":
            raise RuntimeError(f"{name}: {result.outcome}: {result.reason}\n{result.stderr[-500:]!r}")
        return parse_output(result.stdout, cpu, name)

    return Side(name, run)


def direct_side(name: str, program: DirectProgram, scratch: Path) -> Side:
    def run(script: str) -> ScriptResult:
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            Path(tmp, "main.js").write_text(script)
            before = time.process_time()
            code, stdout = program.run(Path(tmp))
            cpu = time.process_time() - before
        if code != 0:
            raise RuntimeError(f"{name}: exit code {code}")
        return parse_output(stdout, cpu, name)

    return Side(name, run)


@dataclass(frozen=True)
class LeverSide:
    side: Side
    variant: Variant
    wasm_size: int


def variant_side(ctx: Context, variant: Variant) -> LeverSide:
    wasm = variant_wasm(ctx, variant)
    return LeverSide(_side_for(ctx, variant, wasm), variant, wasm.stat().st_size)


def _side_for(ctx: Context, variant: Variant, wasm: Path) -> Side:
    run = ctx.image.run
    if variant.config == AOT_CONFIG:  # the runner's own engine: run it the way the image runs
        module = DirectProgram.compile(AOT_CONFIG, wasm, ()).module
        return runner_side(variant.name, program_from_run(variant.name, module, run))
    argv = run.command_line(f"/script/{run.script_name}")
    return direct_side(variant.name, DirectProgram.compile(variant.config, wasm, argv), ctx.scratch)


def run_matrix(ctx: Context, sides: list[Side], workloads: tuple = WORKLOADS) -> Timings:
    """Every side runs every workload once per round, interleaved; results must agree."""
    reps = ctx.settings.inscript_reps
    wall: dict[str, dict[str, list[float]]] = {s.name: {w.name: [] for w in workloads} for s in sides}
    cpu: dict[str, dict[str, list[float]]] = {s.name: {w.name: [] for w in workloads} for s in sides}
    rounds: list[dict[str, dict[str, float]]] = []
    for round_no in range(ctx.settings.rounds):
        rounds.append({s.name: {} for s in sides})
        for workload in workloads:
            script, short = workload.script(ctx.settings.quick, reps), workload.script(ctx.settings.quick, 0)
            checks = {}
            for side in sides:
                result, baseline = side.run(script), side.run(short)
                wall[side.name][workload.name] += result.times
                rounds[-1][side.name][workload.name] = Stat.of(result.times).median
                cpu[side.name][workload.name].append(max(result.cpu - baseline.cpu, 1e-9) / reps)
                checks[side.name] = result.check
            if len(set(checks.values())) != 1:
                raise RuntimeError(f"{workload.name}: the sides disagree on the result: {checks}")
        _log(f"round {round_no + 1}/{ctx.settings.rounds} done")

    def stats(table: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, Stat]]:
        return {s: {w: Stat.of(t) for w, t in per.items()} for s, per in table.items()}

    return Timings(stats(wall), stats(cpu), rounds)


def steady_state(ctx: Context) -> Section:
    native = native_side(build_native(ctx.recipe, ctx.project.fetch_settings, ctx.scratch), ctx.scratch)
    image = runner_side("QuickJS image", ctx.program)
    variants, skipped = _lever_sides(ctx) if ctx.settings.levers else ([], [])
    timings = run_matrix(ctx, [native, image, *(v.side for v in variants)])
    section = _rows(ctx, timings, native.name, image.name)
    if ctx.settings.levers:
        section.levers += _levers(timings, native.name, image.name, variants) + skipped
        section.notes += _notes(timings, native.name, image.name, variants)
    return section


def _rows(ctx: Context, timings: Timings, native: str, image: str) -> Section:
    section = Section()
    wall, cpu = timings.ratios(image, native), timings.ratios(image, native, "cpu")
    for workload in WORKLOADS:
        name = workload.name
        section.rows.append(Row(
            f"steady.{name}", SECTION, workload.label(ctx.settings.quick), timings.wall[image][name],
            baseline=timings.wall[native][name], baseline_name="native", ratio=wall[name], ratio_label="× native",
            note=f"CPU time: {fmt_seconds(timings.cpu[image][name].median)} vs "
                 f"{fmt_seconds(timings.cpu[native][name].median)}, {cpu[name]:.2f}×"))
    mean, cpu_mean = geomean(wall.values()), geomean(cpu.values())
    per_round = timings.round_geomeans(image, native)
    section.rows.append(Row("steady.geomean", SECTION, "geometric mean of the ratios", Stat.of([mean]), unit="x",
                            ratio=mean, ratio_label="× native",
                            note=f"CPU time: {cpu_mean:.2f}×; per round: {per_round.min:.2f}× – {per_round.max:.2f}×"))
    section.goals.append(Goal("steady state vs native", f"geomean ≤ {GOAL_RATIO}×",
                              f"{mean:.2f}× (CPU-time cross-check {cpu_mean:.2f}×)", mean <= GOAL_RATIO))
    return section


def _lever_sides(ctx: Context) -> tuple[list[LeverSide], list[Lever]]:
    sides, skipped = [], []
    for variant in lever_variants(ctx.recipe.flags):
        reason = available(variant)
        if reason is None:
            try:
                sides.append(variant_side(ctx, variant))
                _log(f"lever ready: {variant.name}")
                continue
            except Exception as exc:  # a failed lever is a result, not a reason to stop the benchmark
                lines = str(exc).strip().splitlines()
                reason = f"failed: {type(exc).__name__}: {lines[-1] if lines else ''}"
        skipped.append(Lever(SECTION, variant.name, reason, "not measured"))
    return sides, skipped


def _levers(timings: Timings, native: str, image: str, variants: list[LeverSide]) -> list[Lever]:
    base, base_cpu = timings.geomean(image, native), timings.geomean(image, native, "cpu")
    levers = []
    for lever in variants:
        name = lever.side.name
        mean, cpu = timings.geomean(name, native), timings.geomean(name, native, "cpu")
        detail = ", ".join(f"{w} {r:.2f}" for w, r in timings.ratios(name, native).items())
        levers.append(Lever(
            SECTION, lever.variant.name,
            f"geomean {mean:.2f}× native ({detail}); CPU time {cpu:.2f}×; .wasm {fmt_bytes(lever.wasm_size)}",
            f"{(mean / base - 1) * 100:+.0f} % time vs the image's {base:.2f}× "
            f"(CPU time {(cpu / base_cpu - 1) * 100:+.0f} % vs {base_cpu:.2f}×)"))
    return levers


def _notes(timings: Timings, native: str, image: str, variants: list[LeverSide]) -> list[str]:
    shippable = [v for v in variants if v.variant.config.epoch_interruption]
    if not shippable:
        return []
    best = min(shippable, key=lambda v: timings.geomean(v.side.name, native, "cpu"))
    wall, cpu = timings.geomean(best.side.name, native), timings.geomean(best.side.name, native, "cpu")
    verdict = "would hold" if max(wall, cpu) <= GOAL_RATIO else "would still be missed"
    noise = timings.round_geomeans(image, native)
    return [f"Steady state: the best shippable lever by CPU time is **{best.variant.name}** "
            f"({wall:.2f}× wall, {cpu:.2f}× CPU vs the image's {timings.geomean(image, native):.2f}× / "
            f"{timings.geomean(image, native, 'cpu'):.2f}×); with it the ≤ {GOAL_RATIO}× goal {verdict}. "
            f"For scale: the image's own geomean ranged {noise.min:.2f}× – {noise.max:.2f}× from round to round, "
            "so differences of a few percent between levers are within the noise of this machine."]


def _log(message: str) -> None:
    print(f"[bench] steady state: {message}", file=sys.stderr, flush=True)
