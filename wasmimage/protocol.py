"""The function-call protocol: call a function inside an image through the image's executor.

An image whose recipe declares `run.executor` carries a script (role `executor`) that reads
one JSON request on stdin and writes one JSON response on stdout:

    request   {"function": "<source defining the function>", "name": "<its name>", "args": [...]}
    response  {"result": <JSON value>}  or  {"error": {"type": "...", "message": "..."}}
              plus "logs": [lines] when the function printed (recipes/quickjs/executor.js)

The executor reports what the function does. What only the host sees becomes an error
response too, so a caller always gets exactly one dict back and never an exception for
anything the untrusted code did: Timeout, MemoryLimit, OutputLimit and Trap (a limit or
a wasm trap ended the call; message = the runner's reason), InputLimit (the request is
over the stdin cap) and ProtocolError (the executor wrote no valid response, e.g. the
function's promise never settled).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wasmimage.errors import PipelineError
from wasmimage.image import Image, open_image
from wasmimage.runner import Limits, Program, RunResult, load_program, run_program

LIMIT_ERRORS = {"timeout": "Timeout", "memory_limit": "MemoryLimit", "output_limit": "OutputLimit", "trap": "Trap"}
HOST_ERRORS = (*LIMIT_ERRORS.values(), "InputLimit", "ProtocolError")


def error(type_: str, message: str) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message}}


def response_from_result(result: RunResult) -> dict[str, Any]:
    """The response an executor run amounts to: its own JSON, or the host's error."""
    if result.outcome in LIMIT_ERRORS:
        return error(LIMIT_ERRORS[result.outcome], result.reason)
    try:
        response = json.loads(result.stdout)
    except ValueError:
        response = None
    if result.outcome == "ok" and isinstance(response, dict) and ("result" in response) != ("error" in response):
        return response
    what = "no response" if not result.stdout.strip() else "an invalid response"
    stderr = result.stderr.decode("utf-8", "replace").strip()[-500:]
    return error("ProtocolError", f"the executor wrote {what} ({result.reason})" + (f": {stderr}" if stderr else ""))


def call_program(program: Program, executor: bytes, request: dict[str, Any], limits: Limits = Limits()) -> dict[str, Any]:
    """Run `executor` in `program` with `request` on stdin; see the module docstring."""
    data = json.dumps(request).encode()  # ASCII with \u escapes: any Python str survives
    if len(data) > limits.max_stdin_bytes:
        return error("InputLimit", f"the request is {len(data)} bytes, over the {limits.max_stdin_bytes}-byte cap")
    return response_from_result(run_program(program, executor, stdin=data, limits=limits))


def call(image: Image | Path | str, request: dict[str, Any], limits: Limits = Limits()) -> dict[str, Any]:
    """Call a function in an image (an Image or its directory) through its executor.

    Opening a directory checks every file's digest; callers making many calls pass an Image.
    """
    if not isinstance(image, Image):
        image = open_image(Path(image))
    if not image.has("executor"):
        raise PipelineError(f"{image.path}: image {image.name} has no executor (its recipe sets no run.executor)")
    return call_program(load_program(image), image.file("executor").read_bytes(), request, limits)
