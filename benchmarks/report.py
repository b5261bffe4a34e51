"""Output: the console table, docs/benchmarks.md and the start-up latency chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from benchmarks.context import Settings
from benchmarks.machine import Machine
from benchmarks.results import Row, Section
from benchmarks.stats import Stat, fmt_seconds

COLUMNS = ("id", "measurement", "median", "spread (min – max)", "baseline (median)", "ratio", "note")
# What the start-up chart shows, fastest first.
CHART_ROWS = ("cold.native", "warm.1t.p50", "cold.aot", "cold.cli.wikifunctions", "cold.process", "cold.jit")
CHART_LABELS = {
    "cold.native": "native qjs process",
    "warm.1t.p50": "warm call (module cached), p50",
    "cold.aot": "AOT cold start (.cwasm)",
    "cold.cli.wikifunctions": "wasmtime 47 CLI, .cwasm (wikifunctions)",
    "cold.process": "python -m wasmimage run",
    "cold.jit": "JIT cold start (.wasm)",
}


def cells(row: Row) -> tuple[str, ...]:
    return (row.key, row.name, row.value_text(), row.spread_text(), row.baseline_text(), row.ratio_text(), row.note)


def text_table(rows: list[Row]) -> str:
    table = [COLUMNS, *(cells(r) for r in rows)]
    widths = [min(max(len(r[i]) for r in table), 60) for i in range(len(COLUMNS))]
    lines = []
    for index, line in enumerate(table):
        lines.append("  ".join(c[:60].ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def goals_text(section: Section) -> str:
    return "\n".join(f"  [{g.verdict():>12}] {g.name}: {g.target}, measured {g.measured}" for g in section.goals)


def _md_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


METHOD = """\
- **Repetitions.** Every series runs untimed warm-up(s) first, then several timed repetitions;
  tables give the median and the spread (min – max, n = samples). Ratios are ratios of medians
  taken in the same run.
- **Cold start** is measured inside one Python process: each repetition makes a new
  `wasmtime.Module` (AOT: `wasmimage.runtime.engine.load`, i.e. engine check + sha256 + deserialize;
  JIT: compile the `.wasm` with the very same engine config) and then runs `print("hi")`
  through `wasmimage.runtime.runner.run_program`. Python start-up is shown separately (fresh process row).
- **Engine profiles' CLIs** (`cold.cli.PROFILE` rows, per image): a fresh `wasmtime run` process of
  the profile's own wasmtime version (installed by the pipeline, `wasmimage/pipeline/tools.py`) with the
  profile's flags (fuel metered), running `print("hi")` from the image's `IMAGE.PROFILE.cwasm`
  (`--allow-precompiled`), against the same CLI compiling the `.wasm` in the process without a
  compile cache (`.jit` rows): the difference is what an evaluator that deserializes the `.cwasm`
  saves at each process start (`benchmarks/engine_cli.py`).
- **Steady state** is timed *inside the script* with `performance.now()` (quickjs-ng's monotonic
  clock; in the image it is WASI `clock_time_get(MONOTONIC)`, served by the host's monotonic
  clock, so durations are as precise as natively). Each script builds its input untimed, runs the
  work once as a warm-up, then times it several times and prints a digest of the result that must be
  identical on both sides. As a cross-check against other load on the machine, the table's notes
  give CPU time per iteration too: each round also runs every script with no timed iteration, and
  (CPU of the full run − CPU of the short run) / iterations cancels start-up, input and warm-up.
  Timing in-script rather than timing whole runs minus a `print("hi")`
  baseline keeps instance/process start-up, input generation and teardown out of the ratio without
  the noise of a subtraction, and uses one code path (the same JavaScript, the same clock call) on
  both sides. The native side is `gcc -O2` of the very same quickjs-ng sources and
  `recipes/quickjs/host.c`; the image runs through the runner. Sides run interleaved, round by
  round, so a slow phase of a shared machine hits them alike.
- **Warm evaluator** calls `run_program` back to back (fresh Store, limits, temporary script
  directory, instantiate, QuickJS start, `print("hi")`) with the module already loaded, in
  windows of fixed length; calls/s is per window, latency quantiles pool every call.
- **Process CPU per warm call** (`warm.snapshot.*`, `py.*.snapshot`, `py.*.wikifunctions`) is this
  process's CPU time over windows of back-to-back calls divided by the calls, the sides (snapshot,
  command, by path, off the main thread) taking turns window by window. The main thread runs a
  call itself; `warm.snapshot.thread` calls from a thread of its own, so each call hops to a
  guest thread (as in the `warm.1t`/`warm.2t` rows, whose windows run on threads). The
  Wikifunctions request is `add` of two strings in the image's language, through
  `wikifunctions.call(image, request)`; its answer is checked.
- **Fuel** (`fuel.*` rows) is wasmtime's count of the wasm operators a call executes, read after
  one call of each kind on each path: the image's `.wasm` (command) and snapshot `.wasm`, compiled
  here for the runner's engine config with fuel metering on (`load_program(image, fuel=True)`). It
  is exact, the same on every machine, so it takes no repetitions and no quiet machine; only the
  guest's own work varies (the Python interpreters take a fresh hash seed per call: up to about
  0.1 %; QuickJS's counts are the same every time). The
  evaluator's 574 M is from its own code's note (a trivial Python request, RustPython 0.5.0 booted
  per request).
- **Pipeline** times `python -m doit build:quickjs` as a user runs it, in a fresh copy of the
  files git knows (tracked, or untracked and not ignored: no build outputs, no caches), with this
  checkout's source cache shared through `WASMIMAGE_CACHE_DIR`; the no-op build runs in that copy
  right after its clean build (with `--quick`: in this checkout).
- **Levers** are variants built in `build/bench/variants/` by the pipeline's own build stage with
  only the named change, AOT-compiled with the named engine config, and run in the same
  interleaved rounds as the image and the native build.
- **Size** is the image's files, and the image directory as a deterministic tar at `gzip -9`.
- **Python images** (`py.*` rows) are measured the same way, per image: cold start includes staging
  the mounted files (digest-checked copies) as the runner's first call does; JIT uses at most 3
  repetitions. Steady state runs `benchmarks/pyworkloads.py` (timed in-script with
  `time.perf_counter`) through the runner and in a native CPython 3.13 configured like the
  cpython recipe's build Python, from the same tarball, interleaved; results must agree. Both
  images are compared with native CPython; the rustpython image also with a native RustPython
  (`cargo build --release` of the recipe's crate and vendored crates, same features) once
  `--native-rustpython` has built it.
"""


def markdown(section: Section, machine: Machine, settings: Settings, chart: Path | None, chart_note: str,
             command: str) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmarks\n",
        f"Generated by `{command}` on {now}"
        f"{' (quick setting: tiny workloads, not representative)' if settings.quick else ''}. "
        "Do not edit by hand; rerun the command.\n",
        "## Machine\n",
        _md_table(("", ""), machine.items()) + "\n",
        "## Results\n",
        _md_table(COLUMNS, [(f"`{r.key}`", *cells(r)[1:]) for r in section.rows]) + "\n",
        "## Goals\n",
        _md_table(("goal", "target", "measured", "verdict"),
                  [(g.name, g.target, g.measured, f"**{g.verdict()}**") for g in section.goals]) + "\n",
        "## Levers\n",
        _levers_md(section, settings),
        "## Start-up latency\n",
        (f"![start-up latency]({chart.name})\n" if chart else f"No chart: {chart_note}\n"),
        "## Method\n",
        METHOD,
    ]
    return "\n".join(parts)


def _levers_md(section: Section, settings: Settings) -> str:
    if not settings.levers:
        return "Not measured in this run (`--quick`).\n"
    table = _md_table(("area", "lever", "result", "effect"),
                      [(lv.area, lv.name, lv.result, lv.effect) for lv in section.levers])
    notes = "".join(f"- {note}\n" for note in section.notes)
    return table + "\n\n" + notes


def chart(rows: list[Row], path: Path) -> str | None:
    """Write the start-up latency chart; returns why not, if it cannot."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib, or the project's `bench` extra)"
    by_key = {r.key: r for r in rows if isinstance(r.value, Stat)}
    shown = [by_key[k] for k in CHART_ROWS if k in by_key]
    if not shown:
        return "this run measured no QuickJS start-up"
    medians = [r.value.median for r in shown]
    low = [r.value.median - r.value.min for r in shown]
    high = [r.value.max - r.value.median for r in shown]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(shown) + 1.4))
    positions = range(len(shown))
    ax.barh(positions, medians, xerr=[low, high], color="#4c72b0", ecolor="#333333", capsize=3)
    ax.set_yticks(list(positions), [CHART_LABELS[r.key] for r in shown])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("seconds (log scale); bar = median, whisker = min – max")
    ax.set_title('QuickJS image: time to run print("hi")')
    for y, row in enumerate(shown):
        ax.text(row.value.max * 1.2, y, fmt_seconds(row.value.median), va="center", fontsize=8)
    ax.set_xlim(min(medians) / 2, max(r.value.max for r in shown) * 10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None
