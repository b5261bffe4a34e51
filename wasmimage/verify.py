"""Verify stage: run the conformance suites against the AOT artifact; any failure stops the image.

A case is `NAME<ext>` (the script), `NAME.out` (expected stdout, exact bytes) and an
optional `NAME.yaml`: exit_code (default 0), stdin, stderr_contains, known_difference
(the interpreter is known to differ: reported, not failed), outcome (default ok/error
from the exit code; hostile cases name a limit), limits (timeout, memory_mb,
max_stdout_bytes), env and dirs (grants; none by default).

Suites under `hostile/` also run the recipe's canary after each case: it must still pass.
A limit is judged by the outcome the runner reports (a timeout case must end as `timeout`),
not by a wall-clock margin that a busy build machine would miss: the wall-clock bound,
twice the timeout plus WALL_SLACK seconds, only catches a limit that does not hold at all.

Suites under `protocol/` test the image's executor (wasmimage/protocol.py) instead of
scripts. A case is `NAME.json` (one request, sent on the executor's stdin),
`NAME.expected.json` (the response) and an optional `NAME.yaml` with only limits and
known_difference. Responses are compared as parsed JSON, objects ignoring key order and
numbers by value (1 equals 1.0, which JavaScript cannot tell apart) but never equal to a
boolean. Host-side errors (Timeout, MemoryLimit, ...) are responses too, so a case can
expect one.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.protocol import call_program
from wasmimage.runner import Limits, Program, RunResult, run_program

CASE_KEYS = {"exit_code", "stdin", "stderr_contains", "known_difference", "outcome", "limits", "env", "dirs"}
PROTOCOL_CASE_KEYS = {"known_difference", "limits"}
WALL_SLACK = 5.0  # seconds: generous on purpose (see the module docstring)
LIMIT_KEYS = {"timeout": "timeout", "memory_mb": "memory_bytes", "max_stdout_bytes": "max_stdout_bytes",
              "max_stderr_bytes": "max_stderr_bytes", "max_stdin_bytes": "max_stdin_bytes"}


@dataclass(frozen=True)
class Case:
    name: str
    script: Path
    expected_stdout: bytes | None  # None: stdout is not checked (hostile cases)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def limits(self) -> Limits:
        return case_limits(self.meta.get("limits", {}))


def case_limits(overrides: dict[str, Any]) -> Limits:
    values = {LIMIT_KEYS[k]: (v * 1024 * 1024 if k == "memory_mb" else v) for k, v in overrides.items()}
    return Limits(**values)


def _meta(meta_path: Path, keys: set[str]) -> dict[str, Any]:
    meta = yaml.safe_load(meta_path.read_text()) if meta_path.exists() else {}
    if not isinstance(meta, dict) or not set(meta) <= keys:
        raise PipelineError(f"{meta_path}: keys must be a mapping with only {', '.join(sorted(keys))}")
    if not isinstance(meta.get("limits", {}), dict) or not set(meta.get("limits", {})) <= set(LIMIT_KEYS):
        raise PipelineError(f"{meta_path}: limits: only {', '.join(sorted(LIMIT_KEYS))}")
    try:
        case_limits(meta.get("limits", {}))
    except (ValueError, TypeError) as exc:
        raise PipelineError(f"{meta_path}: limits: {exc}") from None
    return meta


def discover(suite_dir: Path, extension: str) -> list[Case]:
    """Every case of a suite, with its metadata checked; a malformed case is an error."""
    cases = []
    for script in sorted(suite_dir.glob(f"*{extension}")):
        name = script.name.removesuffix(extension)
        meta_path = script.with_name(name + ".yaml")
        meta = _meta(meta_path, CASE_KEYS)
        out_path = script.with_name(name + ".out")
        expected = out_path.read_bytes() if out_path.exists() else None
        if expected is None and "outcome" not in meta:
            raise PipelineError(f"{script}: needs {out_path.name} (expected stdout) or an `outcome` in {meta_path.name}")
        cases.append(Case(name, script, expected, meta))
    if not cases:
        raise PipelineError(f"{suite_dir}: no *{extension} cases")
    return cases


def discover_protocol(suite_dir: Path) -> list[Case]:
    """Every request of a protocol suite (script = the request, expected_stdout = the response)."""
    cases = []
    for request in sorted(p for p in suite_dir.glob("*.json") if not p.name.endswith(".expected.json")):
        name = request.name.removesuffix(".json")
        expected = request.with_name(name + ".expected.json")
        if not expected.is_file():
            raise PipelineError(f"{request}: needs {expected.name} (the expected response)")
        cases.append(Case(name, request, expected.read_bytes(), _meta(request.with_name(name + ".yaml"),
                                                                       PROTOCOL_CASE_KEYS)))
    if not cases:
        raise PipelineError(f"{suite_dir}: no *.json requests")
    return cases


def _canonical(value: Any) -> str:
    """JSON text that is equal for equal values: sorted keys, every number a float."""
    return json.dumps(json.loads(json.dumps(value), parse_int=float), sort_keys=True, ensure_ascii=False)


def check_response(case: Case, response: dict[str, Any]) -> str | None:
    expected = json.loads(case.expected_stdout)
    if _canonical(response) != _canonical(expected):
        return f"response differs:\n    expected {json.dumps(expected)[:300]}\n    actual   {json.dumps(response)[:300]}"
    return None


def check(case: Case, result: RunResult) -> str | None:
    """Why the result does not match the case, or None when it does."""
    meta = case.meta
    expected_outcome = meta.get("outcome") or ("ok" if meta.get("exit_code", 0) == 0 else "error")
    if result.outcome != expected_outcome:
        return f"outcome {result.outcome} ({result.reason}), expected {expected_outcome}"
    if result.wall_seconds > 2 * case.limits.timeout + WALL_SLACK:
        return f"took {result.wall_seconds:.2f}s: its {case.limits.timeout}s deadline did not hold"
    if "exit_code" in meta or expected_outcome in ("ok", "error"):
        if result.exit_code != meta.get("exit_code", 0):
            return f"exit code {result.exit_code}, expected {meta.get('exit_code', 0)}"
    if case.expected_stdout is not None and result.stdout != case.expected_stdout:
        return (f"stdout differs:\n    expected {case.expected_stdout[:300]!r}\n    actual   {result.stdout[:300]!r}"
                + (f"\n    stderr   {result.stderr[-300:]!r}" if result.stderr else ""))
    if "stderr_contains" in meta and meta["stderr_contains"].encode() not in result.stderr:
        return f"stderr lacks {meta['stderr_contains']!r}: {result.stderr[-300:]!r}"
    return None


def run_case(program: Program, case: Case, base_dir: Path) -> RunResult:
    dirs = {guest: base_dir / host for guest, host in case.meta.get("dirs", {}).items()}
    return run_program(program, case.script.read_bytes(), stdin=case.meta.get("stdin", "").encode(),
                       env=case.meta.get("env"), dirs=dirs, limits=case.limits)


def run_suite(program: Program, suite_dir: Path, extension: str, canary: bytes | None = None,
              executor: bytes | None = None) -> dict[str, Any]:
    """Run every case; with `canary`, also prove the host still works after each one.

    With `executor` the suite is a protocol suite: its cases are requests to the executor.
    """
    report: dict[str, Any] = {"passed": [], "failed": {}, "expected_failures": {}}
    cases = discover(suite_dir, extension) if executor is None else discover_protocol(suite_dir)
    for case in cases:
        if executor is None:
            problem = check(case, run_case(program, case, suite_dir))
        else:
            request = json.loads(case.script.read_bytes())
            problem = check_response(case, call_program(program, executor, request, case.limits))
        if problem is None and canary is not None:
            after = run_program(program, canary)
            if after.outcome != "ok":
                problem = f"a normal call after this case failed: {after.outcome} ({after.reason})"
        if problem is None:
            report["passed"].append(case.name)
        elif "known_difference" in case.meta:
            report["expected_failures"][case.name] = f"{case.meta['known_difference']} ({problem})"
        else:
            report["failed"][case.name] = problem
        mark = "ok" if problem is None else ("xfail" if "known_difference" in case.meta else "FAIL")
        print(f"[verify {program.name}{' snapshot' if program.snapshot else ''}] "
              f"{suite_dir.parent.name}/{suite_dir.name}/{case.name}: {mark}",
              file=sys.stderr, flush=True)
    return report


def verify(program: Program, cwasm_sha256: str, conformance_dir: Path, suites: tuple[str, ...], extension: str,
           report_path: Path, canary: bytes, executor: bytes | None = None,
           snapshot: tuple[Program, str] | None = None) -> dict[str, Any]:
    """Run all suites, write the report, and raise if anything failed.

    The report names the .cwasm it proved (`cwasm_sha256`), so the image stage can refuse
    to pair it with any other. With `snapshot` (its Program and .cwasm sha256) every suite
    also runs against the snapshot, reported under "snapshot".

    Suites under `hostile/` also run `canary` (a script that must succeed) after each case;
    suites under `protocol/` send their requests to `executor` (the recipe's run.executor).
    """
    if executor is None and any(name.startswith("protocol/") for name in suites):
        raise PipelineError(f"{program.name}: protocol suites need an executor (run.executor in the recipe)")

    def run_all(subject: Program, sha256: str) -> dict[str, Any]:
        reports = {name: run_suite(subject, conformance_dir / name, extension,
                                   canary if name.startswith("hostile/") else None,
                                   executor if name.startswith("protocol/") else None)
                   for name in suites}
        summary = {key: sum(len(r[key]) for r in reports.values()) for key in ("passed", "failed", "expected_failures")}
        return {"cwasm_sha256": sha256, "summary": summary, "suites": reports}

    report = {"image": program.name, **run_all(program, cwasm_sha256)}
    if snapshot is not None:
        report["snapshot"] = run_all(*snapshot)
    files.write_json(report_path, report)
    failures = [f"{where}{suite}/{name}: {why}" for where, part in (("", report), ("snapshot: ", report.get("snapshot")))
                if part for suite, r in part["suites"].items() for name, why in r["failed"].items()]
    if failures:
        raise PipelineError(f"{program.name}: {len(failures)} conformance case(s) failed "
                            f"(report: {report_path}):\n  " + "\n  ".join(failures))
    return report
