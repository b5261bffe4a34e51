"""`python -m benchmarks [--quick] [--levers] [--only NAME ...] [--output FILE] [--image DIR]
[--python-images DIR] [--native-rustpython]`.

Runs every measurement (or only those named), prints the results table and the goals, and
writes FILE (default docs/benchmarks.md; with --only, build/bench/NAME.md, so a partial run
never replaces the full report) with the start-up latency chart beside it (FILE's stem + "-startup.png").
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import report
from benchmarks.coldstart import cold_start
from benchmarks.context import ROOT, Context, Environment, Settings
from benchmarks.fuel import fuel
from benchmarks.libtest import libtest
from benchmarks.machine import load_average, machine
from benchmarks.pipeline import pipeline
from benchmarks.python import python_images
from benchmarks.results import Section
from benchmarks.size import size
from benchmarks.steady import steady_state
from benchmarks.warm import warm_evaluator

# In this order: the pipeline after the QuickJS measurements, since in --quick it runs doit in this checkout.
MEASUREMENTS: tuple[tuple[str, Callable[[Context], Section]], ...] = (
    ("size", size),
    ("cold start", cold_start),
    ("steady state", steady_state),
    ("warm evaluator", warm_evaluator),
    ("fuel", fuel),
    ("pipeline", pipeline),
    ("python", python_images),
    ("libtest", libtest),  # CPython's Lib/test in each Python image; its own report, docs/libtest.md
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny setting for smoke tests: few repetitions, small workloads, no clean build, "
                             "no levers (unless --levers)")
    parser.add_argument("--levers", action="store_true",
                        help="measure the levers with --quick too (a full run always does): every lever variant "
                             "built and run on the tiny workloads, as the smoke test does")
    parser.add_argument("--only", choices=[name for name, _ in MEASUREMENTS], metavar="NAME", action="append",
                        help="run this measurement only (repeatable): " +
                             ", ".join(repr(name) for name, _ in MEASUREMENTS))
    parser.add_argument("--output", type=Path,
                        help="the Markdown report to write "
                             "(default: docs/benchmarks.md; with --only: build/bench/NAME.md)")
    parser.add_argument("--image", type=Path, help="image directory (default: the quickjs recipe's image)")
    parser.add_argument("--python-images", type=Path, metavar="DIR",
                        help="where the Python images are, as DIR/<recipe>/<tag>/ (default: artifacts/images)")
    parser.add_argument("--native-rustpython", action="store_true",
                        help="build native RustPython for the python section if not built yet (about 15 CPU-minutes)")
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = (ROOT / "build" / "bench" / f"{'+'.join(args.only)}.md" if args.only
                       else ROOT / "docs" / "benchmarks.md")
    return args


def run_all(ctx: Context, only: list[str] | None = None) -> Section:
    results = Section()
    for name, measurement in MEASUREMENTS:
        if only and name not in only:
            continue
        started = time.monotonic()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        results.extend(measurement(ctx))
        print(f"[bench] {name} done in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.quick_run() if args.quick else Settings.full()
    if args.levers:
        settings = dataclasses.replace(settings, levers=True)
    ctx = Context(ROOT, settings, args.image.resolve() if args.image else None,
                  args.python_images.resolve() if args.python_images else None, args.native_rustpython,
                  Environment.from_environ())
    load_at_start = load_average()
    results = run_all(ctx, args.only)

    output = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    chart_path = output.with_name(f"{output.stem}-startup.png")
    chart_problem = report.chart(results.rows, chart_path)
    command = shlex.join(["python", "-m", "benchmarks", *(["--quick"] if args.quick else []),
                          *(["--levers"] if args.levers else []), *(f"--only={name}" for name in args.only or ())])
    output.write_text(report.markdown(results, machine(ROOT, load_at_start), settings,
                                      None if chart_problem else chart_path, chart_problem or "", command))

    print(report.text_table(results.rows))
    print("\nGoals:")
    print(report.goals_text(results))
    if results.levers:
        print("\nLevers:")
        for lever in results.levers:
            print(f"  [{lever.area}] {lever.name}: {lever.result} ({lever.effect})")
    print(f"\nwrote {output}" + ("" if chart_problem else f" and {chart_path}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
