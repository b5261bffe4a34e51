"""The function-call protocol: call a function inside an image through the image's executor.

An image whose recipe declares `run.protocols.call` carries a script (role `executor`) that reads
one JSON request on stdin and writes one JSON response on stdout:

    request   {"function": "<source defining the function>", "name": "<its name>", "args": [...]}
    response  {"result": <JSON value>}  or  {"error": {"type": "...", "message": "..."}}
              plus "logs": [lines] when the function printed (recipes/quickjs/executor.js)

The executor reports what the function does; only the host reports what ended the call,
so a caller always gets exactly one dict back and never an exception for anything the
untrusted code did. Host-made errors: Timeout, MemoryLimit, OutputLimit and Trap (from the
runner's own outcome, never from anything the guest wrote; message = the runner's reason),
InputLimit (the request is over the stdin cap or nests too deeply) and ProtocolError (a
malformed request, checked here before the call, or no valid response from the executor,
e.g. the function's promise never settled; the end of the executor's stderr is quoted in its
message, as the guest's: outputs.executor_failure). A call the host ended (Timeout, MemoryLimit,
FuelLimit, Trap) still carries "logs": what the function printed before the end, from the copy
the executors write to stderr (outputs.logs_before_the_end).

The guest cannot forge them: its response must have exactly the shape above (one of
"result" / "error", an error being {"type": str, "message": str}, optional "logs" (strings)
and "logs_truncated": true), or the host reports a ProtocolError; and a guest error whose
type is one of the host's names (a user class called Timeout) is reported as
{"type": "Error", "message": "Timeout: ..."}. So `type in HOST_ERRORS` means the host made it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.native import NativeStore
from wasmimage.runtime.outputs import executor_failure, logs_before_the_end
from wasmimage.runtime.runner import Limits, Program, RunResult, load_program, run_program

LIMIT_ERRORS = {"timeout": "Timeout", "memory_limit": "MemoryLimit", "output_limit": "OutputLimit",
                "fuel_exhausted": "FuelLimit", "trap": "Trap"}
HOST_ERRORS = (*LIMIT_ERRORS.values(), "InputLimit", "ProtocolError")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*", re.ASCII)  # as executor.js checks it


def error(type_: str, message: str) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message}}


def request_problem(request: Any) -> str | None:
    """Why `request` is not a call request, or None: checked here whatever the language (the executors check again)."""
    if not isinstance(request, dict):
        return "the request must be a JSON object"
    if not isinstance(request.get("function"), str):
        return '"function" must be a string of source code'
    if not isinstance(request.get("name"), str) or not _IDENTIFIER.fullmatch(request["name"]):
        return '"name" must be a JavaScript identifier'
    if not isinstance(request.get("args", []), list):
        return '"args" must be an array'
    return None


def _guest_response(response: Any) -> dict[str, Any] | None:
    """The executor's response if it has exactly the protocol's shape (host names renamed), else None."""
    if not isinstance(response, dict) or ("result" in response) == ("error" in response):
        return None
    if not set(response) <= {"result", "error", "logs", "logs_truncated"}:
        return None
    logs = response.get("logs", [])
    if not isinstance(logs, list) or not all(isinstance(line, str) for line in logs):
        return None
    if response.get("logs_truncated", True) is not True:
        return None
    if "error" in response:
        guest_error = response["error"]
        if not (isinstance(guest_error, dict) and set(guest_error) == {"type", "message"}
                and all(isinstance(v, str) for v in guest_error.values())):
            return None
        if guest_error["type"] in HOST_ERRORS:
            response = {**response, **error("Error", f"{guest_error['type']}: {guest_error['message']}")}
    checked: dict[str, Any] = response
    return checked


def response_from_result(result: RunResult) -> dict[str, Any]:
    """The response an executor run amounts to: its own JSON, or the host's error."""
    if result.outcome in LIMIT_ERRORS:
        logs = logs_before_the_end(result)
        return {**error(LIMIT_ERRORS[result.outcome], result.reason), **({"logs": logs} if logs else {})}
    try:
        response = _guest_response(json.loads(result.stdout)) if result.outcome == "ok" else None
    except (ValueError, RecursionError):
        response = None
    if response is not None:
        return response
    return error("ProtocolError", executor_failure(result))


def call_program(program: Program, executor: bytes, request: dict[str, Any],
                 limits: Limits = Limits()) -> dict[str, Any]:
    """Run `executor` in `program` with `request` on stdin; see the module docstring."""
    problem = request_problem(request)
    if problem is not None:
        return error("ProtocolError", problem)
    try:
        data = json.dumps(request).encode()  # ASCII with \u escapes: any Python str survives
    except RecursionError:
        return error("InputLimit", "the request nests too deeply")
    except (TypeError, ValueError) as exc:  # a set, bytes, a list that contains itself
        return error("ProtocolError", f"the request is not JSON data: {exc}")
    if len(data) > limits.max_stdin_bytes:
        return error("InputLimit", f"the request is {len(data)} bytes, over the {limits.max_stdin_bytes}-byte cap")
    return response_from_result(run_program(program, executor, stdin=data, limits=limits))


def call(image: Image | Path | str, request: dict[str, Any], limits: Limits = Limits(),
         store: NativeStore | None = None) -> dict[str, Any]:
    """Call a function in an image (an Image or its directory) through its executor.

    A directory is checked when it is first opened, and looked at (lstat of its files) after that (open_image).
    """
    if not isinstance(image, Image):
        image = open_image(Path(image))
    executor = image.executor("call").read_bytes()
    program = load_program(image, store=store, fuel=limits.fuel is not None)
    return call_program(program, executor, request, limits)
