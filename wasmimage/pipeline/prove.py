"""Proof in the consumer's engine: an image's language suites, run by an engine profile's own wasmtime CLI.

A profile's .cwasm (engines.py, made by the aot stage with that exact wasmtime) is useful only
if that wasmtime loads it and runs the interpreter correctly with the profile's settings. So
before the image is written, the verify stage runs the recipe's language suites
(`conformance/javascript`, `conformance/python`, ...: Recipe.language_suites) through
`wasmtime run --allow-precompiled` with the profile's flags, not through this project's runner:
each case in a fresh process, as the runner would hand it over (argv from the `run` section,
the script alone in /script/<script_name>, the image's mounted files at their guest paths,
stdin, and only the env and dirs the case grants), fuel metered with the evaluator's budget
and memory capped at the case's limit. Its verdicts are the verify stage's own (verify.check,
the same known differences). A profile whose .cwasm does not load, or fails a case, fails the
build with a message naming the profile.

What differs from the runner, because the CLI cannot do otherwise: directories are granted
read-write (wasmtime's CLI has no read-only preopen), so each case gets fresh copies; time is
bounded by fuel (the evaluator's budget: outcome `fuel_exhausted`) and by a wall-clock kill at
twice the case's timeout plus verify.WALL_SLACK (outcome `timeout`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from wasmimage import files
from wasmimage.errors import Stale, StepFailed
from wasmimage.pipeline import verify
from wasmimage.pipeline.engines import CLI_VAR, Profile
from wasmimage.pipeline.toolchain import ResolvedToolchain
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.runtime.runner import SCRIPT_DIR, RunResult

# The fuel each run may burn: the Wikifunctions evaluator's budget per call (docs/evaluator.md).
FUEL = 10_000_000_000
TRAP_EXIT = 134  # what the wasmtime CLI exits with when the guest traps (fuel exhausted included)
OUT_OF_FUEL = b"all fuel consumed by WebAssembly"


class Engine:
    """One profile's wasmtime CLI, set up to run one image's interpreter (its .cwasm, or its .wasm to
    compile in the process: the benchmarks) as the runner would."""

    def __init__(self, profile: Profile, compiler: ResolvedToolchain, module: Path, run: RunSpec,
                 mounts: list[tuple[str, Path]]) -> None:
        self.profile, self.module, self.run = profile, module, run
        self.cli = compiler.vars[CLI_VAR]
        self.mounts = mounts  # (guest directory, host directory holding just the image's files for it)

    def command(self, work: Path, limits_memory: int, env: dict[str, str], dirs: dict[str, Path]) -> list[str]:
        argv = self.run.command_line(f"{SCRIPT_DIR}/{self.run.script_name}")
        grants = [*self.mounts, (SCRIPT_DIR, work / "script"), *dirs.items()]
        return [self.cli, "run", "--allow-precompiled", *self.profile.cli_settings.cli_flags(fuel=FUEL),
                "-W", f"max-memory-size={limits_memory}", "--argv0", argv[0],
                *(arg for guest, host in grants for arg in ("--dir", f"{host}::{guest}")),
                *(arg for name, value in sorted(env.items()) for arg in ("--env", f"{name}={value}")),
                str(self.module), *argv[1:]]

    def run_case(self, case: verify.Case, script: bytes, stdin: bytes = b"") -> RunResult:
        limits = case.limits
        with tempfile.TemporaryDirectory(prefix="wasmimage-prove-") as tmp:
            work = Path(tmp)
            (work / "script").mkdir()
            (work / "script" / self.run.script_name).write_bytes(script)
            dirs = {}
            for index, (guest, host) in enumerate(sorted(case.meta.get("dirs", {}).items())):
                dirs[guest] = work / f"dir{index}"  # a copy: the CLI grants directories read-write
                shutil.copytree(case.script.parent / host, dirs[guest])
            command = self.command(work, limits.memory_bytes, case.meta.get("env") or {}, dirs)
            started = time.monotonic()
            try:
                done = subprocess.run(command, input=stdin, capture_output=True, cwd=work, check=False,
                                      env={"PATH": "/usr/bin:/bin"}, timeout=2 * limits.timeout + verify.WALL_SLACK)
            except subprocess.TimeoutExpired as exc:
                return RunResult("timeout", "killed at the wall-clock bound", None, exc.stdout or b"",
                                 exc.stderr or b"", time.monotonic() - started, limits=limits)
        wall = time.monotonic() - started
        if done.returncode == TRAP_EXIT and OUT_OF_FUEL in done.stderr:
            return RunResult("fuel_exhausted", f"fuel limit of {FUEL:,} exceeded", None, done.stdout, done.stderr,
                             wall, limits=limits)
        if done.returncode == TRAP_EXIT:
            return RunResult("trap", done.stderr.decode(errors="replace").strip()[-300:], None, done.stdout,
                             done.stderr, wall, limits=limits)
        return RunResult("ok" if done.returncode == 0 else "error", f"exit code {done.returncode}", done.returncode,
                         done.stdout, done.stderr, wall, limits=limits)


def stage_mounts(run: RunSpec, mounted_dir: Path, recorded: dict[str, dict[str, str]],
                 into: Path) -> list[tuple[str, Path]]:
    """Each run.mounts guest directory as a host directory holding just its files, checked against
    the build's record."""
    staged = []
    for index, (guest, names) in enumerate(run.mounts):
        host = into / f"mount{index}"
        host.mkdir(parents=True)
        for name in names:
            shutil.copyfile(mounted_dir / name, host / name)
            if files.sha256_file(host / name) != recorded.get(name, {}).get("sha256"):
                raise Stale(f"{mounted_dir / name}: does not match the sha256 the build recorded; "
                            f"rerun the build")
        staged.append((guest, host))
    return staged


def prove(profile: Profile, compiler: ResolvedToolchain, image: str, cwasm: Path, run: RunSpec, mounted_dir: Path,
          recorded_mounts: dict[str, dict[str, str]], conformance_dir: Path, suites: tuple[str, ...],
          report_path: Path) -> dict[str, Any]:
    """Run the language suites against a profile's .cwasm in its own wasmtime; write the report, raise on failure."""
    where = f"engine profile {profile.name} (wasmtime {profile.wasmtime}, {compiler.vars[CLI_VAR]})"
    label = f"{image} {profile.name}"
    with tempfile.TemporaryDirectory(prefix="wasmimage-mounts-") as tmp:
        engine = Engine(profile, compiler, cwasm, run, stage_mounts(run, mounted_dir, recorded_mounts, Path(tmp)))
        canary = verify.Case("canary", Path(tmp) / "canary", None)
        result = engine.run_case(canary, run.canary.encode())
        if result.outcome != "ok":
            raise StepFailed(f"{where}: its .cwasm {cwasm} does not run there: {result.outcome} "
                             f"({result.stderr.decode(errors='replace').strip()[-800:]})")
        reports = {}
        for suite in suites:
            suite_dir = conformance_dir / suite
            reports[suite] = verify.new_report()
            for case in verify.discover(suite_dir, run.script_extension):
                problem = verify.check(case, engine.run_case(case, case.script.read_bytes(),
                                                             case.meta.get("stdin", "").encode()))
                verify.record(reports[suite], case, problem, image, label, suite_dir)
    report = {"image": image, "profile": profile.name, "wasmtime": profile.wasmtime,
              "cwasm_sha256": files.sha256_file(cwasm), "summary": verify.summarize(reports), "suites": reports}
    files.write_json(report_path, report)
    failed = verify.failures(reports)
    if failed:
        raise StepFailed(f"{where}: {len(failed)} conformance case(s) failed with its .cwasm "
                         f"(report: {report_path}):\n  " + "\n  ".join(failed))
    return report
