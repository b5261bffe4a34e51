"""What a call gives back: its result, and the capped streams that collect the guest's output."""

from __future__ import annotations

import errno
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from wasmimage.runtime.epoch import TICK_SECONDS as EPOCH_TICK_SECONDS
from wasmimage.runtime.limits import Limits


@dataclass
class RunResult:
    outcome: str
    reason: str
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    wall_seconds: float
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    epoch_deadline_ticks: int = 0
    epoch_tick_seconds: float = EPOCH_TICK_SECONDS
    limits: Limits = field(default_factory=Limits)
    memory_bytes: int = 0  # the guest's linear memory when it ended (0: never instantiated)
    fuel_consumed: int | None = None  # wasm operators executed, for a program that meters fuel

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["stdout"] = self.stdout.decode("utf-8", "replace")
        data["stderr"] = self.stderr.decode("utf-8", "replace")
        return data


class CappedOutput:
    """A WASI output stream that keeps at most `cap` bytes and fails writes past it."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.truncated = False

    def __call__(self, chunk: bytes) -> int:
        room = self.cap - len(self.data)
        if len(chunk) <= room:
            self.data += chunk
            return len(chunk)
        self.data += chunk[:room]
        self.truncated = True
        return -errno.EFBIG


class Ended(Exception):
    """The guest did not exit by itself: carries (outcome, reason)."""


def output_reason(stdout: CappedOutput, stderr: CappedOutput, limits: Limits) -> str:
    cut = []
    if stdout.truncated:
        cut.append(f"stdout over {limits.max_stdout_bytes} bytes")
    if stderr.truncated:
        cut.append(f"stderr over {limits.max_stderr_bytes} bytes")
    return "output cut: " + ", ".join(cut)


GUEST_TEXT_CHARS = 500  # of the guest's stderr quoted in a host message
# The outcomes of a call the host cut short, its response never written
HOST_ENDED = ("timeout", "memory_limit", "fuel_exhausted", "trap")


# Marks a line of stderr as a copy of a log line (the executors' STREAMED_LOG_CHARS), not the interpreter's
LOG_LINE_MARK = "\x1e"


def logs_before_the_end(result: RunResult) -> list[str]:
    """What an executor's user code printed before the host ended the call. The logs an executor gathers
    for its response die with the instance, so the executors also copy each finished log line to stderr as
    it is made, after LOG_LINE_MARK (at most STREAMED_LOG_CHARS: recipes/*/executor.*, wikifunctions.*);
    the interpreter's own last words there ("out of memory") are not logs. [] for a call that ended by itself."""
    return _stderr_parts(result)[0] if result.outcome in HOST_ENDED else []


def _stderr_parts(result: RunResult) -> tuple[list[str], str]:
    """The guest's stderr as (the copied log lines, unmarked; the rest of its text)."""
    logs: list[str] = []
    rest: list[str] = []
    for line in result.stderr.decode("utf-8", "replace").split("\n"):
        (logs if line.startswith(LOG_LINE_MARK) else rest).append(line.removeprefix(LOG_LINE_MARK))
    return logs, "\n".join(rest)


def executor_failure(result: RunResult, problem: str = "") -> str:
    """The host's words for an executor run that gave no valid response: what it wrote, how the run
    ended, `problem` (what is wrong with it), and the end of its stderr quoted as the guest's: in
    JSON quotes, line breaks escaped, at most GUEST_TEXT_CHARS, so it cannot pass for the host's words."""
    what = "no response" if not result.stdout.strip() else "an invalid response"
    tail = _stderr_parts(result)[1].strip()[-GUEST_TEXT_CHARS:]  # the executor's words, not the code's logs
    said = f"; its stderr ends: {json.dumps(tail, ensure_ascii=False)}" if tail else ""
    return f"the executor wrote {what} ({result.reason})" + (f": {problem}" if problem else "") + said
