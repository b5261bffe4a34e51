"""What a call gives back: its result, and the capped streams that collect the guest's output."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass, field

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

    def to_json(self) -> dict:
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
