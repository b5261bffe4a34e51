"""Verify stage: run the conformance suites against the AOT artifact; any failure stops the image.

A case is `NAME<ext>` (the script), `NAME.out` (expected stdout, exact bytes) and an
optional `NAME.yaml`: exit_code (default 0), stdin, stderr_contains, known_difference
(a mapping from image name to the reason that image differs, e.g.
`{rustpython: "why it differs"}`: for that image a failure is reported with the reason
and does not fail the suite; other images must still pass), outcome (default ok/error
from the exit code; hostile cases name a limit, or a list of outcomes any of which is
right, for a program that interpreters end in different ways), limits (timeout, memory_mb,
max_stdout_bytes), env and dirs (grants; none by default).

Suites under `hostile/` also run the recipe's canary after each case: it must still pass.
A limit is judged by the outcome the runner reports (a timeout case must end as `timeout`),
not by a wall-clock margin that a busy build machine would miss: the wall-clock bound,
twice the timeout plus WALL_SLACK seconds, only catches a limit that does not hold at all.

Suites under `protocol/` test the image's executor (wasmimage/runtime/protocol.py) instead of
scripts. A case is `NAME.json` (one request, sent on the executor's stdin),
`NAME.expected.json` (the response) and an optional `NAME.yaml` with only limits and
known_difference. Responses are compared as parsed JSON, objects ignoring key order and
numbers by value (1 equals 1.0, which JavaScript cannot tell apart) but never equal to a
boolean. Host-side errors (Timeout, MemoryLimit, ...) are responses too, so a case can
expect one.

Suites under `wikifunctions/` test the executor of the Wikifunctions protocol
(wasmimage/runtime/wikifunctions.py) under its limits profile. A case is `NAME.yaml` (`request`,
sent as JSON, or `raw_request`, sent as is; optional limits and known_difference) and
`NAME.expected.json`: the Z22 in canonical form, where {"$match": REGEX} stands for a
string that varies (timings, memory). The Z22 must also be exactly in normal form.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from wasmimage import files, log
from wasmimage.errors import InvalidInput, StepFailed
from wasmimage.runtime import wikifunctions
from wasmimage.runtime.engine import load
from wasmimage.runtime.program import program_from_run
from wasmimage.runtime.protocol import call_program
from wasmimage.runtime.protocols import of_suite
from wasmimage.runtime.runner import OUTCOMES, Limits, Program, RunResult, run_program
from wasmimage.runtime.zobjects import canonical, normal

if TYPE_CHECKING:
    from wasmimage.pipeline.project import StageOutputs
    from wasmimage.pipeline.recipe import Recipe

CASE_KEYS = {"exit_code", "stdin", "stderr_contains", "known_difference", "outcome", "limits", "env", "dirs"}
PROTOCOL_CASE_KEYS = {"known_difference", "limits"}
WIKIFUNCTIONS_CASE_KEYS = {"request", "raw_request", "known_difference", "limits"}
WALL_SLACK = 5.0  # seconds: generous on purpose (see the module docstring)
IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # a recipe name (recipe.schema.json)
LIMIT_KEYS = {"timeout": "timeout", "memory_mb": "memory_bytes", "max_stdout_bytes": "max_stdout_bytes",
              "max_stderr_bytes": "max_stderr_bytes", "max_stdin_bytes": "max_stdin_bytes"}


@dataclass(frozen=True)
class Case:
    name: str
    script: Path
    expected_stdout: bytes | None  # None: stdout is not checked (hostile cases)
    meta: dict[str, Any] = field(default_factory=dict)
    base_limits: Limits = field(default_factory=Limits)  # what `limits` in meta overrides

    def known_difference(self, image: str) -> str | None:
        """Why `image` is known to fail this case, or None when it must pass."""
        return self.meta.get("known_difference", {}).get(image)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes this case accepts: `outcome` (one name or a list), else ok/error from exit_code."""
        outcome = self.meta.get("outcome") or ("ok" if self.meta.get("exit_code", 0) == 0 else "error")
        return (outcome,) if isinstance(outcome, str) else tuple(outcome)

    @property
    def limits(self) -> Limits:
        return case_limits(self.meta.get("limits", {}), self.base_limits)


def case_limits(overrides: dict[str, Any], base: Limits = Limits()) -> Limits:
    """`base` with a case's `limits` applied (memory_mb in MiB)."""
    values = {LIMIT_KEYS[k]: (v * 1024 * 1024 if k == "memory_mb" else v) for k, v in overrides.items()}
    return dataclasses.replace(base, **values)


def _meta(meta_path: Path, keys: set[str]) -> dict[str, Any]:
    meta = yaml.safe_load(meta_path.read_text()) if meta_path.exists() else {}
    if not isinstance(meta, dict) or not set(meta) <= keys:
        raise InvalidInput(f"{meta_path}: keys must be a mapping with only {', '.join(sorted(keys))}")
    if not isinstance(meta.get("limits", {}), dict) or not set(meta.get("limits", {})) <= set(LIMIT_KEYS):
        raise InvalidInput(f"{meta_path}: limits: only {', '.join(sorted(LIMIT_KEYS))}")
    try:
        case_limits(meta.get("limits", {}))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{meta_path}: limits: {exc}") from None
    outcome = meta.get("outcome", "ok")
    if not (outcome in OUTCOMES or isinstance(outcome, list) and outcome and set(outcome) <= set(OUTCOMES)):
        raise InvalidInput(f"{meta_path}: outcome: must be one of {', '.join(OUTCOMES)} or a list of them; "
                           f"got {outcome!r}")
    if "known_difference" in meta and not _is_known_difference(meta["known_difference"]):
        raise InvalidInput(f"{meta_path}: known_difference: must map image names to reasons, "
                           f'e.g. {{rustpython: "why it differs"}}; got {meta["known_difference"]!r}')
    return meta


def _is_known_difference(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(image, str) and IMAGE_NAME.fullmatch(image) and isinstance(reason, str) and reason.strip()
        for image, reason in value.items())


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
            raise InvalidInput(f"{script}: needs {out_path.name} (expected stdout) "
                               f"or an `outcome` in {meta_path.name}")
        cases.append(Case(name, script, expected, meta))
    if not cases:
        raise InvalidInput(f"{suite_dir}: no *{extension} cases")
    return cases


def discover_protocol(suite_dir: Path) -> list[Case]:
    """Every request of a protocol suite (script = the request, expected_stdout = the response)."""
    cases = []
    for request in sorted(p for p in suite_dir.glob("*.json") if not p.name.endswith(".expected.json")):
        name = request.name.removesuffix(".json")
        expected = request.with_name(name + ".expected.json")
        if not expected.is_file():
            raise InvalidInput(f"{request}: needs {expected.name} (the expected response)")
        cases.append(Case(name, request, expected.read_bytes(), _meta(request.with_name(name + ".yaml"),
                                                                       PROTOCOL_CASE_KEYS)))
    if not cases:
        raise InvalidInput(f"{suite_dir}: no *.json requests")
    return cases


def discover_wikifunctions(suite_dir: Path) -> list[Case]:
    """Every case of a wikifunctions suite: NAME.yaml (the request, limits) and NAME.expected.json
    (the Z22 in canonical form; {"$match": REGEX} stands for a string that varies, like timings)."""
    cases = []
    for meta_path in sorted(suite_dir.glob("*.yaml")):
        meta = _meta(meta_path, WIKIFUNCTIONS_CASE_KEYS)
        if ("request" in meta) == ("raw_request" in meta):
            raise InvalidInput(f"{meta_path}: needs exactly one of request (sent as JSON) "
                               "and raw_request (sent as is)")
        expected = meta_path.with_name(meta_path.stem + ".expected.json")
        if not expected.is_file():
            raise InvalidInput(f"{meta_path}: needs {expected.name} (the expected Z22)")
        cases.append(Case(meta_path.stem, meta_path, expected.read_bytes(), meta, wikifunctions.LIMITS))
    if not cases:
        raise InvalidInput(f"{suite_dir}: no *.yaml cases")
    return cases


def wikifunctions_request(case: Case) -> dict[str, Any] | str:
    return case.meta["request"] if "request" in case.meta else case.meta["raw_request"]


def _matches(expected: Any, actual: Any) -> bool:
    """JSON equality, except that an expected {"$match": REGEX} matches any string it fully matches."""
    if isinstance(expected, dict) and set(expected) == {"$match"}:
        return isinstance(actual, str) and re.fullmatch(expected["$match"], actual) is not None
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and set(expected) == set(actual)
                and all(_matches(v, actual[k]) for k, v in expected.items()))
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(_matches, expected, actual))
    return type(expected) is type(actual) and expected == actual


def check_z22(case: Case, response: dict[str, Any]) -> str | None:
    """The Z22 must be in normal form; its canonical form must match the expected one."""
    actual = canonical(response)
    if normal(actual) != response:
        return f"the Z22 is not in normal form: {json.dumps(response)[:400]}"
    expected = _expected_response(case)
    if not _matches(expected, actual):
        return f"Z22 differs:\n    expected {json.dumps(expected)[:400]}\n    actual   {json.dumps(actual)[:400]}"
    return None


def _canonical(value: Any) -> str:
    """JSON text that is equal for equal values: sorted keys, every number a float."""
    return json.dumps(json.loads(json.dumps(value), parse_int=float), sort_keys=True, ensure_ascii=False)


def _expected_response(case: Case) -> Any:
    """A protocol case's expected response (discover_protocol and discover_wikifunctions always read one)."""
    assert case.expected_stdout is not None
    return json.loads(case.expected_stdout)


def check_response(case: Case, response: dict[str, Any]) -> str | None:
    expected = _expected_response(case)
    if _canonical(response) != _canonical(expected):
        return (f"response differs:\n    expected {json.dumps(expected)[:300]}\n"
                f"    actual   {json.dumps(response)[:300]}")
    return None


def _stdout_difference(expected: bytes, actual: bytes) -> str:
    """The first line that differs, so a long output's failure shows where it goes wrong."""
    expected_lines, actual_lines = expected.split(b"\n"), actual.split(b"\n")
    pairs = zip(expected_lines + [None], actual_lines + [None], strict=False)  # None: past a side's end
    line = next(i for i, (e, a) in enumerate(pairs) if e != a)
    shown = [lines[line] if line < len(lines) else b"(end of output)" for lines in (expected_lines, actual_lines)]
    return (f"stdout differs at line {line + 1}:\n    expected {shown[0][:300]!r}\n    actual   {shown[1][:300]!r}")


def check(case: Case, result: RunResult) -> str | None:
    """Why the result does not match the case, or None when it does."""
    meta = case.meta
    expected_outcomes = case.outcomes
    if result.outcome not in expected_outcomes:
        return f"outcome {result.outcome} ({result.reason}), expected {' or '.join(expected_outcomes)}"
    if result.wall_seconds > 2 * case.limits.timeout + WALL_SLACK:
        return f"took {result.wall_seconds:.2f}s: its {case.limits.timeout}s deadline did not hold"
    if result.outcome in ("ok", "error") and result.exit_code != meta.get("exit_code", 0):
        return f"exit code {result.exit_code}, expected {meta.get('exit_code', 0)}"
    if case.expected_stdout is not None and result.stdout != case.expected_stdout:
        return _stdout_difference(case.expected_stdout, result.stdout) + (
            f"\n    stderr   {result.stderr[-300:]!r}" if result.stderr else "")
    if "stderr_contains" in meta and meta["stderr_contains"].encode() not in result.stderr:
        return f"stderr lacks {meta['stderr_contains']!r}: {result.stderr[-300:]!r}"
    return None


def run_case(program: Program, case: Case, base_dir: Path) -> RunResult:
    dirs = {guest: base_dir / host for guest, host in case.meta.get("dirs", {}).items()}
    return run_program(program, case.script.read_bytes(), stdin=case.meta.get("stdin", "").encode(),
                       env=case.meta.get("env"), dirs=dirs, limits=case.limits)


def run_suite(program: Program, suite_dir: Path, extension: str, canary: bytes | None = None,
              executor: bytes | None = None, protocol: str = "call") -> dict[str, Any]:
    """Run every case; with `canary`, also prove the host still works after each one.

    With `executor` the suite is a protocol suite: its cases are requests to the executor of
    `protocol` (call: wasmimage/runtime/protocol.py, wikifunctions: wasmimage/runtime/wikifunctions.py).
    """
    report = new_report()
    if executor is None:
        cases = discover(suite_dir, extension)
    else:
        cases = discover_protocol(suite_dir) if protocol == "call" else discover_wikifunctions(suite_dir)
    for case in cases:
        if executor is None:
            problem = check(case, run_case(program, case, suite_dir))
        elif protocol == "wikifunctions":
            response = wikifunctions.call_program(program, executor, wikifunctions_request(case), case.limits)
            problem = check_z22(case, response)
        else:
            request = json.loads(case.script.read_bytes())
            problem = check_response(case, call_program(program, executor, request, case.limits))
        if problem is None and canary is not None:
            after = run_program(program, canary)
            if after.outcome != "ok":
                problem = f"a normal call after this case failed: {after.outcome} ({after.reason})"
        record(report, case, problem, program.name, f"{program.name}{' snapshot' if program.snapshot else ''}",
               suite_dir)
    return report


def new_report() -> dict[str, Any]:
    return {"passed": [], "failed": {}, "expected_failures": {}}


def record(report: dict[str, Any], case: Case, problem: str | None, image: str, label: str, suite_dir: Path) -> None:
    """Enter a case's verdict in a suite's report (a known difference of `image` excuses it) and log it."""
    known = case.known_difference(image)
    if problem is None:
        report["passed"].append(case.name)
        if known is not None:  # the image improved: the mark should go
            report.setdefault("known_difference_not_needed", []).append(case.name)
    elif known is not None:
        # The declared reason only: what the guest printed may hold addresses that differ from
        # run to run, and the report is part of the image's bytes. The log shows the problem.
        report["expected_failures"][case.name] = known
    else:
        report["failed"][case.name] = problem
    if problem is None:
        mark = "ok" if known is None else "ok (its known_difference for this image is no longer needed)"
    else:
        mark = "FAIL" if known is None else f"known difference: {known} ({problem})"
    log.get(f"verify {label}").info(f"{suite_dir.parent.name}/{suite_dir.name}/{case.name}: {mark}")


def summarize(reports: dict[str, dict[str, Any]]) -> dict[str, int]:
    """A report's counts over all its suites."""
    return {key: sum(len(r[key]) for r in reports.values()) for key in ("passed", "failed", "expected_failures")}


def failures(reports: dict[str, dict[str, Any]], where: str = "") -> list[str]:
    return [f"{where}{suite}/{name}: {why}" for suite, r in reports.items() for name, why in r["failed"].items()]


def verify(program: Program, cwasm_sha256: str, conformance_dir: Path, suites: tuple[str, ...], extension: str,
           report_path: Path, canary: bytes, executors: dict[str, bytes] | None = None,
           snapshot: tuple[Program, str] | None = None) -> dict[str, Any]:
    """Run all suites, write the report, and raise if anything failed.

    The report names the .cwasm it proved (`cwasm_sha256`), so the image stage can refuse
    to pair it with any other. With `snapshot` (its Program and .cwasm sha256) every suite
    also runs against the snapshot, reported under "snapshot".

    Suites under `hostile/` also run `canary` (a script that must succeed) after each case;
    suites under `protocol/` and `wikifunctions/` send their requests to the executor of
    that protocol (`executors`, from the recipe's run.protocols).
    """
    executors = executors or {}
    protocols = {name: suite_protocol.name if (suite_protocol := of_suite(name)) else None for name in suites}
    for name, protocol in protocols.items():
        if protocol and protocol not in executors:
            raise InvalidInput(f"{program.name}: suite {name} needs the {protocol} protocol's executor "
                               f"(run.protocols in the recipe)")
    suite_executors = {name: executors[protocol] if protocol else None for name, protocol in protocols.items()}

    def run_all(subject: Program, sha256: str) -> dict[str, Any]:
        reports = {name: run_suite(subject, conformance_dir / name, extension,
                                   canary if name.startswith("hostile/") else None,
                                   suite_executors[name],
                                   protocols[name] or "call")
                   for name in suites}
        return {"cwasm_sha256": sha256, "summary": summarize(reports), "suites": reports}

    report = {"image": program.name, **run_all(program, cwasm_sha256)}
    if snapshot is not None:
        report["snapshot"] = run_all(*snapshot)
    files.write_json(report_path, report)
    failed = [line for where, part in (("", report), ("snapshot: ", report.get("snapshot")))
              if part for line in failures(part["suites"], where)]
    if failed:
        raise StepFailed(f"{program.name}: {len(failed)} conformance case(s) failed "
                         f"(report: {report_path}):\n  " + "\n  ".join(failed))
    return report


def verify_stage(recipe: Recipe, out: StageOutputs, conformance_dir: Path) -> dict[str, Any]:
    """The verify stage: the recipe's suites against the .cwasm (and the snapshot's) the earlier stages
    wrote to `out`, each loaded as the runner loads an image's: checked against the engine identity
    and sha256 its stage recorded, with the files `run.mounts` names as the compile stage recorded them."""
    mounted = files.read_json(out.build_info).get("mounted", {})

    def program(cwasm: Path, info_path: Path, snapshot: bool = False) -> tuple[Program, str]:
        info = files.read_json(info_path)
        module = load(cwasm, info["cwasm"]["sha256"], info)
        return (program_from_run(recipe.name, module, recipe.run, out.mounted_dir, mounted, snapshot,
                                 info.get("preloaded", {})), info["cwasm"]["sha256"])

    snapshot = program(out.snapshot_cwasm, out.snapshot_info, True) if recipe.snapshot_output else None
    return verify(*program(out.cwasm, out.aot_info), conformance_dir, recipe.conformance, recipe.run.script_extension,
                  out.report, recipe.run.canary.encode(),
                  {name: script.read_bytes() for name, script in recipe.protocols.items()}, snapshot)


def proves(report: Path, cwasm: Path) -> bool:
    """Whether the report at `report` is a proof of this very .cwasm (both exist, and its digest matches)."""
    return (report.is_file() and cwasm.is_file()
            and files.read_json(report).get("cwasm_sha256") == files.sha256_file(cwasm))
