"""The Wikifunctions evaluator's executor contract: one request in, exactly one Z22 out.

An image that declares the `wikifunctions` protocol (recipe `run.protocols`) carries an
executor script (role `wikifunctions`: recipes/quickjs/wikifunctions.js,
recipes/python/wikifunctions.py) that reads one request on stdin, a JSON object and a blank
line, `{"codeString", "functionName", "functionArguments": {...}}`, and writes one line: a
Z22 (evaluation result) in normal form.

This side adds what only the host knows, so the caller always gets one well-formed Z22:
- a time limit, memory limit, trap, crash, output flood or missing/invalid response becomes
  a failure Z22 whose Z5 message names what happened ("time limit of 9 s exceeded");
- the metadata map in Z22K2 gets `evaluationDuration` (wall time of the call, "12 ms") and
  `executionMemoryUsage` (the guest's linear memory when it ended, "2.44 MiB"), the names
  and formats the evaluator uses (see docs/evaluator.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmimage.errors import InvalidInput
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.native import NativeStore
from wasmimage.runtime.runner import Limits, Program, RunResult, load_program, run_program

PROTOCOL = "wikifunctions"
# Production's limits: 10,000 wasm pages, 9 s wall clock; no environment, no directory.
LIMITS = Limits(timeout=9.0, memory_bytes=10_000 * 65536)
DURATION_KEY, MEMORY_KEY = "evaluationDuration", "executionMemoryUsage"
# An executor that runs out of memory exits with this code and writes nothing: the QuickJS
# host does so for any script, recipes/python/wikifunctions.py on a MemoryError.
OUT_OF_MEMORY_EXIT_CODE = 4


def ref(zid: str) -> dict[str, str]:
    return {"Z1K1": "Z9", "Z9K1": zid}


def zstring(text: str) -> dict[str, str]:
    return {"Z1K1": "Z6", "Z6K1": text}


def _type_call(function: str, **args: Any) -> dict[str, Any]:
    return {"Z1K1": ref("Z7"), "Z7K1": ref(function), **args}


METADATA_PAIR = _type_call("Z882", Z882K1=ref("Z6"), Z882K2=ref("Z1"))
METADATA_LIST = _type_call("Z881", Z881K1=METADATA_PAIR)
METADATA_MAP = _type_call("Z883", Z883K1=ref("Z6"), Z883K2=ref("Z1"))


def metadata_entries(z22: dict[str, Any]) -> list[tuple[dict, dict]] | None:
    """The (key, value) pairs of a Z22's metadata map, [] for void, None when it is neither."""
    metadata = z22.get("Z22K2")
    if metadata == ref("Z24"):
        return []
    if not isinstance(metadata, dict) or metadata.get("Z1K1") != METADATA_MAP:
        return None
    entries, tail = [], metadata.get("K1")
    while isinstance(tail, dict) and tail.get("Z1K1") == METADATA_LIST and "K1" in tail:
        pair = tail["K1"]
        if not (isinstance(pair, dict) and pair.get("Z1K1") == METADATA_PAIR and "K1" in pair and "K2" in pair):
            return None
        entries.append((pair["K1"], pair["K2"]))
        tail = tail.get("K2")
    return entries if tail == {"Z1K1": METADATA_LIST} else None


def z22(result: Any, entries: list[tuple[dict, dict]]) -> dict[str, Any]:
    """A Z22 in normal form: `result` (None: void) and a metadata map of `entries`."""
    head: dict[str, Any] = {"Z1K1": METADATA_LIST}
    tail = head
    for key, value in entries:
        tail["K1"] = {"Z1K1": METADATA_PAIR, "K1": key, "K2": value}
        tail["K2"] = {"Z1K1": METADATA_LIST}
        tail = tail["K2"]
    return {"Z1K1": ref("Z22"), "Z22K1": ref("Z24") if result is None else result,
            "Z22K2": {"Z1K1": METADATA_MAP, "K1": head} if entries else ref("Z24")}


def error_entry(message: str) -> tuple[dict, dict]:
    return zstring("errors"), {"Z1K1": ref("Z5"), "Z5K2": zstring(message)}


def _limit_message(result: RunResult) -> str | None:
    """What the host stopped, in the evaluator's words; None when the guest ended by itself."""
    limits = result.limits
    if result.outcome == "timeout":
        return f"time limit of {limits.timeout:g} s exceeded"
    out_of_memory = result.exit_code == OUT_OF_MEMORY_EXIT_CODE and not result.stdout.strip()
    if result.outcome == "memory_limit" or (result.outcome == "error" and out_of_memory):
        return f"memory limit of {limits.memory_bytes / 2**20:g} MiB exceeded"
    if result.outcome == "output_limit":
        return f"output limit exceeded: the executor wrote more than {limits.max_stdout_bytes} bytes"
    if result.outcome == "fuel_exhausted":
        return f"fuel limit of {limits.fuel} exceeded"
    if result.outcome == "trap":
        return f"the executor crashed: {result.reason}"
    return None


def _guest_z22(result: RunResult) -> dict[str, Any] | str:
    """The executor's own Z22, or why there is none."""
    problem = _limit_message(result)
    if problem:
        return problem
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    try:
        response = json.loads(result.stdout) if len(lines) == 1 else None
    except ValueError:
        response = None
    if (result.outcome == "ok" and isinstance(response, dict) and response.get("Z1K1") == ref("Z22")
            and "Z22K1" in response and metadata_entries(response) is not None):
        return response
    what = "no response" if not result.stdout.strip() else "an invalid response"
    stderr = result.stderr.decode("utf-8", "replace").strip()[-500:]
    return f"the executor wrote {what} ({result.reason})" + (f": {stderr}" if stderr else "")


def host_entries(wall_seconds: float, memory_bytes: int) -> list[tuple[dict, dict]]:
    """The metadata only the host knows, formatted as the evaluator formats it."""
    return [(zstring(DURATION_KEY), zstring(f"{round(wall_seconds * 1000)} ms")),
            (zstring(MEMORY_KEY), zstring(f"{round(memory_bytes / 2**20, 2):g} MiB"))]


def response_from_result(result: RunResult) -> dict[str, Any]:
    """The Z22 a run of the executor amounts to, with the host's metadata added."""
    host = host_entries(result.wall_seconds, result.memory_bytes)
    guest = _guest_z22(result)
    if isinstance(guest, str):
        return z22(None, [error_entry(guest), *host])
    return z22(guest["Z22K1"], [*metadata_entries(guest), *host])


def encode_request(request: dict[str, Any] | str | bytes) -> bytes:
    """The bytes sent on stdin: a dict as JSON, text as is; then the blank line that ends it."""
    if isinstance(request, dict):
        request = json.dumps(request)  # ASCII with \\u escapes: any Python str survives
    data = request.encode() if isinstance(request, str) else request
    return data.rstrip(b"\r\n") + b"\n\n"


@dataclass(frozen=True)
class Evaluation:
    """One request's Z22, and the run behind it (None when the host refused the request before running):
    its outcome, wall time, memory and, with Limits.fuel, `run.fuel_consumed`."""

    z22: dict[str, Any]
    run: RunResult | None


def evaluate_program(program: Program, executor: bytes, request: dict[str, Any] | str | bytes,
                     limits: Limits = LIMITS) -> Evaluation:
    """Run the executor script in `program` with one request (never raises for it)."""
    data = encode_request(request)
    if len(data) > limits.max_stdin_bytes:
        return Evaluation(z22(None, [error_entry(f"the request is {len(data)} bytes, over the "
                                                 f"{limits.max_stdin_bytes}-byte limit"), *host_entries(0, 0)]), None)
    result = run_program(program, executor, stdin=data, limits=limits)
    return Evaluation(response_from_result(result), result)


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
    if not image.has(PROTOCOL):
        raise InvalidInput(f"{image.path}: image {image.name} does not speak the {PROTOCOL} protocol "
                            f"(its recipe declares no run.protocols.{PROTOCOL})")
    program = load_program(image, store=store, fuel=limits.fuel is not None)
    return evaluate_program(program, image.file(PROTOCOL).read_bytes(), request, limits)


def call(image: Image | Path | str, request: dict[str, Any] | str | bytes, limits: Limits = LIMITS,
         store: NativeStore | None = None) -> dict[str, Any]:
    """Run one Wikifunctions request in an image; returns the Z22 (evaluate() also gives the run)."""
    return evaluate(image, request, limits, store).z22


def is_failure(response: dict[str, Any]) -> bool:
    return response.get("Z22K1") == ref("Z24")


REFERENCE = re.compile(r"[A-JL-Z][1-9][0-9]*")


def _is_list_type(type_: Any) -> bool:
    return isinstance(type_, dict) and type_.get("Z1K1") == ref("Z7") and type_.get("Z7K1") == ref("Z881")


def canonical(z: Any) -> Any:
    """The canonical form of a normal-form ZObject: bare strings and references, lists as
    arrays that start with their element type. Conformance expectations are written in it."""
    if isinstance(z, dict):
        if z.get("Z1K1") == "Z9" and set(z) == {"Z1K1", "Z9K1"}:
            return z["Z9K1"]
        if z.get("Z1K1") == "Z6" and set(z) == {"Z1K1", "Z6K1"} and not REFERENCE.fullmatch(z["Z6K1"]):
            return z["Z6K1"]
        if _is_list_type(z.get("Z1K1")):
            items, tail = [], z
            while isinstance(tail, dict) and "K1" in tail:
                items.append(canonical(tail["K1"]))
                tail = tail.get("K2")
            return [canonical(z["Z1K1"]["Z881K1"]), *items]
        return {key: canonical(value) for key, value in z.items()}
    return z


def normal(z: Any) -> Any:
    """The normal form of a ZObject given in canonical or normal form (the inverse of canonical)."""
    if isinstance(z, str):
        return ref(z) if REFERENCE.fullmatch(z) else zstring(z)
    if isinstance(z, list) and z:
        type_ = _type_call("Z881", Z881K1=normal(z[0]))
        head: dict[str, Any] = {"Z1K1": type_}
        tail = head
        for item in z[1:]:
            tail["K1"], tail["K2"] = normal(item), {"Z1K1": type_}
            tail = tail["K2"]
        return head
    if isinstance(z, dict) and z.get("Z1K1") in ("Z6", "Z9"):
        return dict(z)
    if isinstance(z, dict):
        return {key: normal(value) for key, value in z.items()}
    return z
