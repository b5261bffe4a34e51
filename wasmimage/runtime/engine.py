"""The one wasmtime engine configuration, and loading a .cwasm made for it.

A .cwasm is native code: deserializing one is only safe for bytes this pipeline made,
with the same wasmtime version and config. `load` therefore checks the file's sha256
against the manifest and refuses any other wasmtime version or config by name. The build
side (wasmimage/pipeline/aot.py) compiles with this very config, so both halves share it.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _ffi

from wasmimage.digests import sha256_hex
from wasmimage.errors import Stale, Tampered

# What wasmtime's defaults leave an async stack beyond the wasm stack, for host frames
ASYNC_HOST_STACK_BYTES = 1536 * 1024


@dataclass(frozen=True)
class AotConfig:
    """The engine settings a .cwasm is compiled for; the runtime must use the very same."""

    cranelift_opt_level: str = "speed"
    # Epoch interruption is how the runner enforces wall-clock deadlines (see runner.py).
    epoch_interruption: bool = True
    consume_fuel: bool = False
    # The native stack wasm may use before it traps ("call stack exhausted"). 8 MiB: the interpreters'
    # own recursion limits (CPython's C limit of 5,000 on WASI, RustPython's) trip first there, so deep
    # json, copy, repr, pickle or calls raise a catchable RecursionError (at 2 MiB they trapped from
    # about 3,000 nested lists). No ceiling of wasmtime's: it only must not exceed async_stack_size.
    max_wasm_stack: int = 8 * 1024 * 1024
    wasm_threads: bool = False

    def engine_config(self) -> wasmtime.Config:
        config = wasmtime.Config()
        config.cranelift_opt_level = self.cranelift_opt_level
        config.epoch_interruption = self.epoch_interruption
        config.consume_fuel = self.consume_fuel
        # First: an Engine whose max_wasm_stack exceeds async_stack_size (2 MiB by default) makes
        # libwasmtime panic, aborting the process. wasmtime-py binds no setter; unused otherwise (no
        # async calls here), so it is derived, not part of the identity.
        _ffi.wasmtime_config_async_stack_size_set(config.ptr(), self.max_wasm_stack + ASYNC_HOST_STACK_BYTES)
        config.max_wasm_stack = self.max_wasm_stack
        config.wasm_threads = self.wasm_threads
        config.parallel_compilation = True  # changes compile time, not the bytes
        return config

    def differences(self) -> str:
        """How this config differs from the runner's own, in words (for messages)."""
        return ", ".join(f"{name}={value}" for name, value in asdict(self).items()
                         if value != getattr(AOT_CONFIG, name)) or "the runner's own config"


AOT_CONFIG = AotConfig()
# The same with fuel metering (wasmtime counts executed operators), for calls with Limits.fuel: the
# evaluator's budget unit. Images carry no .cwasm for it: their .wasm is compiled for it where it runs.
FUEL_CONFIG = replace(AOT_CONFIG, consume_fuel=True)


@cache
def wasmtime_version() -> str:
    """wasmtime-py's version, from the name of its dist-info directory beside it: importlib.metadata
    would cost a fresh process about 15 ms of imports (email parsing). Other layouts ask it."""
    found = list(Path(wasmtime.__file__).parent.parent.glob("wasmtime-*.dist-info"))
    if len(found) == 1:
        return found[0].name.removeprefix("wasmtime-").removesuffix(".dist-info")
    from importlib.metadata import version

    return version("wasmtime")


def engine_identity(config: AotConfig = AOT_CONFIG) -> dict[str, Any]:
    """What a .cwasm depends on: recorded in the manifest and compared on load."""
    return {"wasmtime": wasmtime_version(), "config": asdict(config),
            "target": f"{platform.machine()}-{sys.platform}"}


# The /proc/cpuinfo names of the ISA extensions Cranelift detects on the host and compiles
# for (cranelift-native): a .cwasm made on a CPU with AVX2 differs from one made without, and
# wasmtime refuses to load it on a CPU that lacks them. Other architectures: the whole list.
CRANELIFT_CPU_FEATURES = {
    "x86_64": {"pni", "ssse3", "cx16", "sse4_1", "sse4_2", "popcnt", "avx", "avx2", "fma", "bmi1", "bmi2",
               "abm", "avx512f", "avx512dq", "avx512vl", "avx512bitalg", "avx512vbmi"},
    "aarch64": {"atomics", "paca", "pacg", "fphp"},
}


def cpu_features() -> list[str]:
    """The host CPU features a .cwasm compiled here depends on (part of the aot cache key)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    line = next((row for row in text.splitlines() if row.split(":")[0].strip() in ("flags", "Features")), "")
    found = set(line.partition(":")[2].split())
    relevant = CRANELIFT_CPU_FEATURES.get(platform.machine())
    return sorted(found & relevant if relevant is not None else found)


def engine(config: AotConfig = AOT_CONFIG) -> wasmtime.Engine:
    """One Engine per process and config (the runner starts its epoch ticker: epoch.ensure_ticking)."""
    return _engine_for(config)  # positional, so engine() and engine(AOT_CONFIG) share one


@cache
def _engine_for(config: AotConfig) -> wasmtime.Engine:
    return wasmtime.Engine(config.engine_config())


def check_engine(recorded: dict[str, Any], where: str) -> None:
    """Refuse a .cwasm made by another wasmtime version or config, saying which."""
    current = engine_identity()
    if recorded.get("wasmtime") != current["wasmtime"]:
        raise Stale(f"{where}: the .cwasm was made by wasmtime {recorded.get('wasmtime')}, "
                    f"this is wasmtime {current['wasmtime']}; rebuild the image (doit build) "
                    f"or install wasmtime=={recorded.get('wasmtime')}")
    if recorded.get("target") != current["target"]:
        raise Stale(f"{where}: the .cwasm is native code for {recorded.get('target')}, "
                    f"this machine is {current['target']}; rebuild the image here")
    if recorded.get("config") != current["config"]:
        raise Stale(f"{where}: the .cwasm was compiled with engine config {recorded.get('config')}, "
                    f"this runtime uses {current['config']}; rebuild the image")


def load(cwasm: Path, sha256: str, recorded_engine: dict[str, Any]) -> wasmtime.Module:
    """Deserialize a .cwasm only if its digest and engine identity match the record."""
    check_engine(recorded_engine, str(cwasm))
    data = cwasm.read_bytes()
    actual = sha256_hex(data)
    if actual != sha256:
        raise Tampered(f"{cwasm}: sha256 {actual} does not match the manifest's {sha256}; "
                       f"refusing to deserialize it")
    try:
        return wasmtime.Module.deserialize(engine(), data)
    except wasmtime.WasmtimeError as exc:  # e.g. compiled with another config than the manifest says
        reason = str(exc).strip().splitlines()[0]
        raise Stale(f"{cwasm}: wasmtime cannot load it for this engine ({reason}); "
                    f"rebuild the image") from None
