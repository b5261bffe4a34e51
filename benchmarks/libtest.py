"""CPython's own test suite as a measure (issue 27): modules of `Lib/test` from the cpython recipe's
pinned source, run in each Python image, one guest call per module.

The module list, the limits and the CI subset are conformance/libtest/modules.yaml; why a module
fails in an image is conformance/libtest/reasons.yaml. Each call runs conformance/libtest/driver.py
on the image's command (a fresh interpreter, as `python -m test MODULE` starts one) with two
grants: `Lib/test` read-only (a `dirs=` grant at /libtest/test) and a writable scratch directory
of the call's own at /tmp (`scratch=`), the tests' working and temporary directory. The driver
prints one line of counts; a call that ends without it (a trap, a timeout, the memory cap) is
recorded with the runner's outcome, the test it was in and what the interpreter said last.

`python -m benchmarks --only libtest` runs the whole list in every Python image and writes
docs/libtest.md (with --quick: the CI subset, into build/bench/libtest-tables.md); by hand,
`python -m benchmarks.libtest [--image NAME] [MODULE ...]` runs some modules and prints what failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.context import ROOT, Context
from benchmarks.machine import load_average
from benchmarks.report import _md_table
from benchmarks.results import Goal, Row, Section
from benchmarks.stats import Stat, fmt_seconds
from wasmimage.errors import InvalidInput
from wasmimage.pipeline.fetch import fetch, unpack
from wasmimage.pipeline.image import image_dir
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.recipe import Recipe
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.native import NativeStore
from wasmimage.runtime.runner import Limits, Program, RunResult, load_program, run_program
from wasmimage.settings import Settings
from wasmimage.sources.base import FetchSettings

SECTION = "libtest"
SUITE = ROOT / "conformance" / "libtest"
DRIVER = SUITE / "driver.py"
MARK = b"LIBTEST-RESULT "
GUEST_LIB, GUEST_SCRATCH = "/libtest", "/tmp"
PASSING = ("passed", "skipped")  # the statuses of a module that needs no reason


@dataclass(frozen=True)
class Suite:
    """conformance/libtest: the modules, the CI subset, the limits of each call and the known reasons."""

    modules: tuple[str, ...]
    quick: tuple[str, ...]
    limits: Limits
    reasons: dict[str, dict[str, str]]  # image -> module -> why it fails there

    @classmethod
    def load(cls, directory: Path = SUITE) -> Suite:
        listed, reasons = (_yaml(directory / name) for name in ("modules.yaml", "reasons.yaml"))
        modules, quick = tuple(listed.get("modules") or ()), tuple(listed.get("quick") or ())
        limits = listed.get("limits") or {}
        if set(listed) - {"modules", "quick", "limits"} or set(limits) - {"timeout", "memory_mb"}:
            raise InvalidInput(f"{directory / 'modules.yaml'}: its keys are modules, quick and limits "
                               "(timeout, memory_mb)")
        unknown = [m for m in (*quick, *(m for by in reasons.values() for m in by)) if m not in modules]
        if unknown:
            raise InvalidInput(f"{directory}: quick or reasons.yaml name modules that modules.yaml does not list: "
                               f"{', '.join(unknown)}")
        return cls(modules, quick, Limits(timeout=float(limits.get("timeout", 300)),
                                          memory_bytes=int(limits.get("memory_mb", 1024)) << 20,
                                          max_stdout_bytes=4 << 20, max_stderr_bytes=4 << 20,
                                          max_dir_bytes=128 << 20), reasons)


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: must be a mapping")
    return data


@dataclass(frozen=True)
class ModuleResult:
    """One module's run: the driver's counts, or how the call ended without them."""

    module: str
    outcome: str  # the runner's
    seconds: float
    counts: dict[str, Any] = field(default_factory=dict)  # the driver's line; empty if it never printed one
    ended: str = ""  # for a call without counts: the runner's reason, the test it was in, the last words

    @classmethod
    def of(cls, module: str, result: RunResult) -> ModuleResult:
        line = next((line for line in reversed(result.stdout.splitlines()) if line.startswith(MARK)), None)
        if line is not None:
            return cls(module, result.outcome, result.wall_seconds, json.loads(line[len(MARK):]))
        return cls(module, result.outcome, result.wall_seconds, ended=result.reason + _last_words(result.stderr))

    @property
    def status(self) -> str:
        """passed, failed, skipped (the whole module), ran none (loaded no test: regrtest's "ran no tests"), or
        the outcome of a call that ended without counts."""
        c = self.counts
        if not c:
            return self.outcome if self.outcome != "ok" else "error"
        if "module_skipped" in c:
            return "skipped"
        if "import_error" in c or "load_errors" in c or c["failures"] or c["errors"] or c["unexpected_successes"]:
            return "failed"
        if not c["run"]:
            return "ran none"
        return "skipped" if c["run"] == c["skipped"] else "passed"

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    @property
    def passed_tests(self) -> int:
        return max(0, self.count("run") - self.count("skipped") - self.count("failed_tests"))

    def first_problem(self) -> str:
        """What went wrong first, in a line: the driver's details, or how the call ended."""
        c = self.counts
        if self.ended or not c:
            return self.ended
        problems = c.get("details") or c.get("load_errors") or [c.get("import_error") or c.get("module_skipped", "")]
        first = problems[0] if problems else ""
        return " ".join(first) if isinstance(first, list) else str(first)


def _last_words(stderr: bytes) -> str:
    """Where a call that ended without counts was (the driver's last "> TEST" line), and what it said after."""
    lines = stderr.decode(errors="replace").splitlines()
    starts = [index for index, line in enumerate(lines) if line.startswith("> ")]
    after = lines[starts[-1] + 1:] if starts else lines
    said = [line.strip() for line in after if line.strip() and not line.startswith("note: ")][-2:]
    return (f", in {lines[starts[-1]][2:]}" if starts else "") + (f": {' '.join(said)[:300]}" if said else "")


def lib_dir(recipe: Recipe, fetch_settings: FetchSettings, scratch: Path) -> Path:
    """The directory holding the `test` package of the recipe's pinned CPython source (unpacked once)."""
    source = next(s for s in recipe.sources if s.name == "python")
    lib = scratch / "libtest" / (source.sha256 or recipe.version)[:16] / "lib"
    if (lib / "test").is_dir():
        return lib
    lib.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lib.parent, prefix=".unpack-") as work:
        unpack(source, fetch(source, fetch_settings), Path(work) / "src")
        try:
            (Path(work) / "src" / "Lib" / "test").rename(lib / "test")
        except OSError:
            if not (lib / "test").is_dir():
                raise  # else another run unpacked it first
    return lib


def run_module(program: Program, module: str, lib: Path, limits: Limits) -> ModuleResult:
    result = run_program(program, DRIVER.read_bytes(), args=(module, GUEST_LIB, GUEST_SCRATCH),
                         dirs={GUEST_LIB: lib}, scratch=GUEST_SCRATCH, limits=limits)
    return ModuleResult.of(module, result)


def run_modules(image: Image, modules: Iterable[str], lib: Path, limits: Limits, store: NativeStore | None = None,
                progress: Callable[[ModuleResult], None] | None = None) -> list[ModuleResult]:
    """Each module in a fresh instance of the image's command (its interpreter booted as `python` would)."""
    program = load_program(image, snapshot=False, store=store)
    results = []
    for module in modules:
        results.append(run_module(program, module, lib, limits))
        if progress:
            progress(results[-1])
    return results


@dataclass(frozen=True)
class Table:
    """One image's results over the list, and how long the whole list took."""

    image: str
    tag: str
    results: list[ModuleResult]
    seconds: float

    def with_status(self, *statuses: str) -> list[ModuleResult]:
        return [r for r in self.results if r.status in statuses]

    def ended_abnormally(self) -> list[ModuleResult]:
        """The modules whose call ended without counts (a trap, a timeout, the memory cap, ...)."""
        return [r for r in self.results if not r.counts]

    def total(self, name: str) -> int:
        return sum(r.count(name) for r in self.results)

    @property
    def pass_rate(self) -> float:
        """Passed tests over the tests that ran and were not skipped (0 when none ran)."""
        ran = self.total("run") - self.total("skipped")
        return sum(r.passed_tests for r in self.results) / ran if ran else 0.0

    def unexplained(self, reasons: dict[str, str]) -> list[str]:
        return [r.module for r in self.results if r.status not in PASSING and r.module not in reasons]


def table_of(ctx: Context, image: Image, modules: tuple[str, ...], suite: Suite) -> Table:
    lib = lib_dir(ctx.project.recipe("cpython"), ctx.project.fetch_settings, ctx.scratch)
    started = time.monotonic()
    results = run_modules(image, modules, lib, suite.limits, ctx.project.native_store, _progress(image.name))
    return Table(image.name, image.manifest["tag"], results, time.monotonic() - started)


def _progress(name: str) -> Callable[[ModuleResult], None]:
    def show(result: ModuleResult) -> None:
        print(f"[bench] libtest: {name}: {result.module}: {result.status} ({result.seconds:.1f} s)",
              file=sys.stderr, flush=True)
    return show


def libtest(ctx: Context) -> Section:
    """The benchmark section: every Python image over the list (--quick: the CI subset), a report of its own."""
    suite, load_at_start = Suite.load(), load_average()
    modules = suite.quick if ctx.settings.quick else suite.modules
    output = ctx.scratch / "libtest-tables.md" if ctx.settings.quick else ROOT / "docs" / "libtest.md"
    section, tables = Section(), []
    for recipe in ctx.project.recipes:
        if recipe.language != "python":
            continue
        image, source = ctx.image_of(recipe.name)
        if image is None:
            section.rows.append(Row(f"py.{recipe.name}.libtest", SECTION, f"{recipe.name}: Lib/test modules",
                                    "not available", note=f"no image at {source}"))
            continue
        tables.append(table_of(ctx, image, modules, suite))
        section.extend(summary(tables[-1], suite.reasons.get(recipe.name, {}), output.relative_to(ROOT)))
    load = " / ".join(f"{value:.2f}" if value is not None else "unknown" for value in (load_at_start, load_average()))
    output.write_text(markdown(tables, suite, ctx.settings.quick, load))
    for table in tables:
        (ctx.scratch / f"libtest-{table.image}.json").write_text(
            json.dumps([dataclasses.asdict(r) for r in table.results], indent=1))
    return section


def summary(table: Table, reasons: dict[str, str], tables: Path) -> Section:
    """The rows of the benchmarks report (and the goal for the cpython image); `tables`: the per-module report."""
    name, key = table.image, f"py.{table.image}.libtest"
    passed, failed, crashed = table.with_status("passed"), table.with_status("failed"), table.ended_abnormally()
    unexplained = table.unexplained(reasons)
    rows = [
        Row(f"{key}.modules", SECTION, f"{name}: Lib/test modules that pass", Stat.of([len(passed)]), unit="modules",
            note=f"of {len(table.results)} (per module: {tables}); {len(failed)} failed, "
                 f"{len(table.with_status('ran none'))} ran none, "
                 f"{len(crashed)} ended abnormally ({', '.join(r.module for r in crashed) or 'none'}), "
                 f"{len(table.with_status('skipped'))} skipped whole"),
        Row(f"{key}.tests", SECTION, f"{name}: Lib/test tests run", Stat.of([table.total("run")]), unit="tests",
            note=f"{table.pass_rate:.1%} of the non-skipped passed; {table.total('failures')} failures, "
                 f"{table.total('errors')} errors, {table.total('skipped')} skipped"),
        Row(f"{key}.time", SECTION, f"{name}: Lib/test, the whole list (one call per module)",
            Stat.of([table.seconds])),
    ]
    goals = [Goal(f"{name}: every failing Lib/test module explained", "all",
                  f"{len(unexplained)} unexplained" + (f": {', '.join(unexplained)}" if unexplained else ""),
                  not unexplained)] if name == "cpython" else []
    return Section(rows=rows, goals=goals)


# docs/libtest.md: the tables, written by libtest() above.

INTRO = """\
Each module of the list (`conformance/libtest/modules.yaml`) runs in a guest call of its own, on the
image's command (a fresh interpreter per module, as `python -m test MODULE` starts one), through the
runner's public API: `conformance/libtest/driver.py` imports `test.MODULE` and runs it with
`unittest`, as regrtest does by default (no `-u` resources, not verbose), and prints its counts.
The call is granted `Lib/test` of the cpython recipe's pinned source read-only (`dirs=`, at
`/libtest/test`) and a writable scratch directory of its own at `/tmp` (`scratch=`: new and
empty per call, deleted after it), the tests' working and temporary directory. Nothing else of
the host is visible; limits per module: {limits}.

A module's result: **passed** (no failure, no error, no unexpected success), **failed**, **skipped**
(the module skipped itself, or every test in it), **ran none** (it loaded no test: regrtest's "ran no
tests"), or how the call ended without counts: **trap**,
**timeout**, **memory_limit**, **error** (exited without them). *run* counts skipped tests too, as
unittest does; *failures* and *errors* count subtests one by one; *passed of the non-skipped* is
over the modules that ran (one that cannot load or ends abnormally adds no test). Every module that does not pass
in the cpython image has its reason in `conformance/libtest/reasons.yaml`;
`tests/pipeline/test_libtest.py` checks that, and runs the CI subset ({quick}).
"""


def markdown(tables: list[Table], suite: Suite, quick: bool, load: str) -> str:
    """The report; `load`: the machine's load average (1 min) at the start and end of the run."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    limits = suite.limits
    parts = [
        "# CPython's own test suite in the Python images\n",
        f"Generated by `python -m benchmarks{' --quick' if quick else ''} --only libtest` on {now}"
        f"{' (quick setting: the CI subset only)' if quick else ''}, load average (1 min) at start / end "
        f"{load}. Do not edit by hand; rerun the command.\n",
        INTRO.format(limits=f"{limits.timeout:g} s wall clock, {limits.memory_bytes >> 20} MiB of memory",
                     quick=", ".join(f"`{m}`" for m in suite.quick)),
        "## Totals\n",
        _md_table(("image", "modules", "passed", "failed", "ran none", "ended abnormally", "skipped whole", "tests run",
                   "failures", "errors", "skipped", "passed of the non-skipped", "time"),
                  [_totals(t) for t in tables]) + "\n",
    ]
    for table in tables:
        reasons = suite.reasons.get(table.image, {})
        parts += [f"## {table.image} ({table.tag})\n",
                  _md_table(("module", "result", "run", "failures", "errors", "skipped", "time", "why it fails"),
                         [_module_row(r, reasons.get(r.module, "")) for r in table.results]) + "\n"]
    if not tables:
        parts.append("No Python image was found: build one (`doit build:cpython`).\n")
    return "\n".join(parts)


def _totals(table: Table) -> tuple[str, ...]:
    return (f"{table.image} ({table.tag})", str(len(table.results)), str(len(table.with_status("passed"))),
            str(len(table.with_status("failed"))), str(len(table.with_status("ran none"))),
            str(len(table.ended_abnormally())), str(len(table.with_status("skipped"))),
            f"{table.total('run'):,}", f"{table.total('failures'):,}", f"{table.total('errors'):,}",
            f"{table.total('skipped'):,}", f"{table.pass_rate:.1%}", fmt_seconds(table.seconds))


def _module_row(result: ModuleResult, reason: str) -> tuple[str, ...]:
    c, status = result.counts, result.status
    counts = tuple(f"{c[k]:,}" if k in c else "" for k in ("run", "failures", "errors", "skipped"))
    if status in ("passed", "skipped"):
        why = "passes now: reasons.yaml still lists it" if reason and status == "passed" else ""
        why = why or (f"skipped: {c['module_skipped']}" if "module_skipped" in c else "")
    else:
        why = reason or f"(no reason listed) {result.first_problem()}"
    return (f"`{result.module}`", f"**{status}**" if status != "passed" else status, *counts,
            fmt_seconds(result.seconds), why)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.libtest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", default="cpython", help="the Python recipe whose image runs them (default: cpython)")
    parser.add_argument("--images", type=Path, help="where the images are, as DIR/<recipe>/<tag>/ "
                                                    "(default: artifacts/images)")
    parser.add_argument("modules", nargs="*", help="Lib/test modules (default: the list in conformance/libtest)")
    args = parser.parse_args(argv)
    project, suite = Project(ROOT, Settings.from_environ()), Suite.load()
    image = open_image(image_dir(args.images or project.images_dir, project.recipe(args.image)))
    lib = lib_dir(project.recipe("cpython"), project.fetch_settings, ROOT / "build" / "bench")
    for result in run_modules(image, args.modules or suite.modules, lib, suite.limits, project.native_store):
        print(describe(result))
    return 0


def describe(result: ModuleResult) -> str:
    """A module's result as lines: its counts, then each failing test (or the load error) indented."""
    c = result.counts
    lines = [f"{result.module}: {result.status} in {result.seconds:.1f} s: run {c.get('run', '-')}, failures "
             f"{c.get('failures', '-')}, errors {c.get('errors', '-')}, skipped {c.get('skipped', '-')}"
             + (f"; {result.ended}" if result.ended else "")]
    lines += ["    " + " ".join(detail) for detail in c.get("details", [])]
    lines += [f"    {key}: {c[key]}" for key in ("load_errors", "import_error", "module_skipped") if key in c]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
