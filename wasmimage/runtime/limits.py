"""Per-call sandbox limits and the outcomes a call ends with (README: "Running code in an image")."""

from __future__ import annotations

from dataclasses import dataclass

OUTCOMES = ("ok", "error", "timeout", "memory_limit", "output_limit", "fuel_exhausted", "trap")
MAX_TIMEOUT = 24 * 3600.0  # seconds; inf, nan, 0 and negatives are refused
_MAX_COUNT = 2**63 - 1  # wasmtime takes limits as int64; -1 there would mean "no limit"
_WASM_PAGE = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-call sandbox limits. Every one is on by default; out-of-range values raise ValueError."""

    timeout: float = 10.0  # wall-clock seconds
    memory_bytes: int = 256 * 1024 * 1024  # linear memory cap
    max_stdout_bytes: int = 1024 * 1024  # output beyond the cap is cut, never buffered
    max_stderr_bytes: int = 64 * 1024
    max_stdin_bytes: int = 16 * 1024 * 1024
    max_table_elements: int = 100_000
    max_instances: int = 1
    max_tables: int = 4
    max_memories: int = 1
    # wasm operators the call may execute (wasmtime's fuel, the evaluator's budget unit); None: not
    # metered. Needs a program loaded with fuel metering (load_program(image, fuel=True)).
    fuel: int | None = None

    def __post_init__(self) -> None:
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"Limits.timeout: must be a number of seconds > 0 and <= {MAX_TIMEOUT:g}, "
                             f"not {timeout!r}")
        for name, low, high in (("memory_bytes", _WASM_PAGE, 2**32), ("max_stdout_bytes", 0, _MAX_COUNT),
                                ("max_stderr_bytes", 0, _MAX_COUNT), ("max_stdin_bytes", 0, _MAX_COUNT),
                                ("max_table_elements", 0, _MAX_COUNT), ("max_instances", 1, _MAX_COUNT),
                                ("max_tables", 0, _MAX_COUNT), ("max_memories", 0, _MAX_COUNT)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"Limits.{name}: must be an integer from {low} to {high}, not {value!r}")
        fuel = self.fuel
        if fuel is not None and (isinstance(fuel, bool) or not isinstance(fuel, int) or not 1 <= fuel <= _MAX_COUNT):
            raise ValueError(f"Limits.fuel: must be None or an integer from 1 to {_MAX_COUNT}, not {fuel!r}")

