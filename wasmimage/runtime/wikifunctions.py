"""The Wikifunctions evaluator's executor contract: one request in, exactly one Z22 out.

An image that declares the `wikifunctions` protocol (recipe `run.protocols`) carries an
executor script (role `wikifunctions`: recipes/quickjs/wikifunctions.js,
recipes/python/wikifunctions.py) that reads one request on stdin, a JSON object and a blank
line, `{"codeString", "functionName", "functionArguments": {...}}`, and writes one line: a
Z22 (evaluation result) in normal form.

This side never raises for anything the guest writes or the caller sends, and it believes the
guest no more than it must:
- a time limit, memory limit, trap, crash, output flood, missing or invalid response, or a
  request that cannot be sent becomes a failure Z22 whose Z5 message names what happened
  ("time limit of 9 s exceeded"), and Evaluation.host_error says the host made it; when the
  host ended the call (time, memory, fuel, a trap) it keeps the executorDebugLogs the code
  printed until then (the executors copy them to stderr as they go: outputs.logs_before_the_end);
- the executor's Z22 must be one line (split on \\n only), a Z22 in normal form (zobjects.py),
  whose metadata holds only the executor's keys (GUEST_KEYS, each at most once); anything else
  is "an invalid response", with the reason;
- an executor error whose text reads like one of the host's messages is marked as the
  executor's (GUEST_MARK), so it cannot pass for a limit the host enforced;
- the metadata map then gets what only the host knows: `evaluationDuration` (wall time of the
  call, "12 ms") and `executionMemoryUsage` (the guest's linear memory when it ended, "2.44 MiB"),
  the names and formats the evaluator uses (see docs/evaluator.md).
ZObjects can nest a level per list element: the host parses and checks them at any depth
(deep_json.py, zobjects.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmimage.runtime import deep_json
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.native import NativeStore
from wasmimage.runtime.outputs import executor_failure, logs_before_the_end
from wasmimage.runtime.runner import Limits, Program, RunResult, load_program, run_program
from wasmimage.runtime.zobjects import (  # noqa: F401
    canonical,
    error_entry,
    is_failure,
    metadata_entries,
    normal,
    normal_form_problem,
    ref,
    z22,
    zstring,
)

PROTOCOL = "wikifunctions"
# Production's limits: 10,000 wasm pages, 9 s wall clock; no environment, no directory.
LIMITS = Limits(timeout=9.0, memory_bytes=10_000 * 65536)
DURATION_KEY, MEMORY_KEY = "evaluationDuration", "executionMemoryUsage"
LOGS_KEY = "executorDebugLogs"
GUEST_KEYS = ("errors", LOGS_KEY)  # the metadata an executor may write; the rest is the host's
GUEST_MARK = "the executor reported: "
# The openings of the host's own messages (casefolded): an executor's error starting so is marked
_HOST_MESSAGE = re.compile(r"(time|memory|fuel) limit of |output limit exceeded|the executor |cannot send the request")
# An executor that runs out of memory exits with this code and writes nothing: the QuickJS
# host does so for any script, recipes/python/wikifunctions.py on a MemoryError.
OUT_OF_MEMORY_EXIT_CODE = 4


def _limit_message(result: RunResult) -> str | None:
    """What the host stopped, in the evaluator's words; None when the guest ended by itself."""
    limits = result.limits
    if result.outcome == "timeout":
        return f"time limit of {limits.timeout:g} s exceeded"
    if result.outcome == "memory_limit":  # the runner's: a refusal, or an end with the memory at the cap
        return f"memory limit of {limits.memory_bytes / 2**20:g} MiB exceeded"
    if _reports_out_of_memory(result):
        return (f"the executor reported running out of memory (exit code {OUT_OF_MEMORY_EXIT_CODE}) with "
                f"{_mib(result.memory_bytes)} of the {_mib(limits.memory_bytes)} limit in use")
    if result.outcome == "output_limit":
        return f"output limit exceeded: the executor wrote more than {limits.max_stdout_bytes} bytes"
    if result.outcome == "fuel_exhausted":
        return f"fuel limit of {limits.fuel} exceeded"
    if result.outcome == "trap":
        return f"the executor crashed: {result.reason}"
    return None


def _reports_out_of_memory(result: RunResult) -> bool:
    """The executor's claim, with its memory below the cap (at the cap the runner says memory_limit)."""
    return result.outcome == "error" and result.exit_code == OUT_OF_MEMORY_EXIT_CODE and not result.stdout.strip()


def _mib(size: int) -> str:
    return f"{round(size / 2**20, 2):g} MiB"


def _guest_z22(result: RunResult) -> dict[str, Any] | str:
    """The executor's own Z22, or (a str) why there is none."""
    problem = _limit_message(result)
    if problem:
        return problem
    if result.outcome != "ok":
        return executor_failure(result)
    line = result.stdout[:-1] if result.stdout.endswith(b"\n") else result.stdout
    if b"\n" in line:  # \n alone ends a line: U+2028 and friends are text in a JSON string
        return executor_failure(result, "more than one line")
    try:
        response = deep_json.loads(line)
    except ValueError as exc:
        return executor_failure(result, f"not JSON ({exc})")
    problem = response_problem(response)
    return executor_failure(result, problem) if problem else response


def response_problem(response: Any) -> str | None:
    """Why `response` is not a Z22 an executor may give, or None."""
    if not isinstance(response, dict) or set(response) != {"Z1K1", "Z22K1", "Z22K2"} or response["Z1K1"] != ref("Z22"):
        return "not a Z22 (an object of exactly Z1K1 = Z22, Z22K1 and Z22K2)"
    problem = normal_form_problem(response, "Z22")
    if problem:
        return f"not in normal form: {problem}"
    entries = metadata_entries(response)
    if entries is None:
        return "Z22K2 is neither void (Z24) nor a metadata map (a Z883 of Z6 to Z1)"
    keys = [key.get("Z6K1") if key.get("Z1K1") == "Z6" else None for key, _ in entries]
    for key in keys:
        if key not in GUEST_KEYS or keys.count(key) > 1:
            shown = repr(key[:80]) if isinstance(key, str) else "a key that is not a string"
            return f"Z22K2: {shown} is not the executor's to write (it may write each of {', '.join(GUEST_KEYS)} once)"
    for key, value in entries:
        is_error = value.get("Z1K1") == ref("Z5") and value.get("Z5K2", {}).get("Z1K1") == "Z6"
        if key["Z6K1"] == "errors" and not is_error:
            return "Z22K2: errors is not a Z5 whose Z5K2 is a string"
    return None


def _marked(entries: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The executor's metadata, its error text marked as its own where it reads like the host's."""
    marked = []
    for key, value in entries:
        text = value["Z5K2"]["Z6K1"] if key["Z6K1"] == "errors" else None
        if text is not None and _reads_like_the_hosts(text):
            value = {**value, "Z5K2": zstring(GUEST_MARK + text)}
        marked.append((key, value))
    return marked


def _reads_like_the_hosts(text: str) -> bool:
    """Whether `text` opens like a host message, as a reader sees it: compatibility forms folded, invisible
    format characters dropped, case and surrounding space ignored."""
    shown = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return _HOST_MESSAGE.match(shown.strip().casefold()) is not None


def host_entries(wall_seconds: float, memory_bytes: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The metadata only the host knows, formatted as the evaluator formats it."""
    return [(zstring(DURATION_KEY), zstring(f"{round(wall_seconds * 1000)} ms")),
            (zstring(MEMORY_KEY), zstring(_mib(memory_bytes)))]


def _answer(result: RunResult) -> tuple[dict[str, Any], str | None]:
    """The Z22 a run of the executor amounts to, with the host's metadata, and the host's error if it made one."""
    host = host_entries(result.wall_seconds, result.memory_bytes)
    guest = _guest_z22(result)
    if isinstance(guest, str):
        logs = logs_before_the_end(result)
        printed = [(zstring(LOGS_KEY), normal(["Z6", *map(zstring, logs)]))] if logs else []  # a typed list of Z6
        return z22(None, [error_entry(guest), *printed, *host]), guest
    return z22(guest["Z22K1"], [*_marked(metadata_entries(guest) or []), *host]), None


def response_from_result(result: RunResult) -> dict[str, Any]:
    """The Z22 a run of the executor amounts to, with the host's metadata added."""
    return _answer(result)[0]


def encode_request(request: dict[str, Any] | str | bytes) -> bytes:
    """The bytes sent on stdin: a dict as JSON, text as is; then the blank line that ends it.
    ValueError saying why for a request that cannot be sent (not JSON data, text that is not Unicode)."""
    if isinstance(request, dict):
        try:
            request = deep_json.dumps(request)  # ASCII with \\u escapes: any Python str survives
        except (TypeError, ValueError) as exc:
            raise ValueError(f"it is not JSON data ({exc})") from None
    if isinstance(request, str):
        try:
            request = request.encode()
        except UnicodeEncodeError as exc:
            raise ValueError(f"its text is not Unicode ({exc.reason} at character {exc.start})") from None
    if not isinstance(request, (bytes, bytearray)):
        raise ValueError(f"it must be a dict, JSON text (str) or bytes, not {type(request).__name__}")
    return bytes(request).rstrip(b"\r\n") + b"\n\n"


@dataclass(frozen=True)
class Evaluation:
    """One request's Z22; the run behind it (None when the host refused the request before running): its
    outcome, wall time, memory and, with Limits.fuel, `run.fuel_consumed`; and `host_error`, the host's
    message when the host made the Z22's failure (a limit, a crash, an invalid response, a request it
    could not send), None when the Z22 is the executor's."""

    z22: dict[str, Any]
    run: RunResult | None
    host_error: str | None = None


def evaluate_program(program: Program, executor: bytes, request: dict[str, Any] | str | bytes,
                     limits: Limits = LIMITS) -> Evaluation:
    """Run the executor script in `program` with one request (never raises for what the request or the guest holds)."""
    try:
        data = encode_request(request)
        if len(data) > limits.max_stdin_bytes:
            raise ValueError(f"it is {len(data)} bytes, over the {limits.max_stdin_bytes}-byte limit")
    except ValueError as exc:
        refused = f"cannot send the request: {exc}"
        return Evaluation(z22(None, [error_entry(refused), *host_entries(0, 0)]), None, refused)
    result = run_program(program, executor, stdin=data, limits=limits)
    answer, host_error = _answer(result)
    return Evaluation(answer, result, host_error)


def call_program(program: Program, executor: bytes, request: dict[str, Any] | str | bytes,
                 limits: Limits = LIMITS) -> dict[str, Any]:
    """Run the executor script in `program` with one request; returns the Z22 (never raises for it)."""
    return evaluate_program(program, executor, request, limits).z22


def evaluate(image: Image | Path | str, request: dict[str, Any] | str | bytes, limits: Limits = LIMITS,
             store: NativeStore | None = None) -> Evaluation:
    """Run one Wikifunctions request (a dict, or the raw JSON text) in an image: its Z22 and its run.

    A directory is checked when it is first opened, and looked at (lstat of its files) after that (open_image).
    With Limits(fuel=N) the call runs on an engine that meters fuel, as the evaluator's does.
    """
    if not isinstance(image, Image):
        image = open_image(Path(image))
    executor = image.executor(PROTOCOL).read_bytes()
    program = load_program(image, store=store, fuel=limits.fuel is not None)
    return evaluate_program(program, executor, request, limits)


def call(image: Image | Path | str, request: dict[str, Any] | str | bytes, limits: Limits = LIMITS,
         store: NativeStore | None = None) -> dict[str, Any]:
    """Run one Wikifunctions request in an image; returns the Z22 (evaluate() also gives the run)."""
    return evaluate(image, request, limits, store).z22
