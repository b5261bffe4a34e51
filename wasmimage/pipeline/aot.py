"""AOT stage: compile a .wasm to a .cwasm for each engine profile (wasmimage/pipeline/engines.py).

The runner's: with the runtime's one recorded engine configuration. That configuration, the
engine and the checked loading of a .cwasm live in wasmimage/runtime/engine.py, so what the
build compiles for is what the runtime loads with. Any other profile's: with that engine's own
wasmtime CLI, its settings and its CPU baseline.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import wasmtime

from wasmimage import files, log
from wasmimage.errors import StepFailed
from wasmimage.pipeline.engines import CLI_VAR
from wasmimage.runtime.engine import engine, engine_identity

if TYPE_CHECKING:
    from wasmimage.pipeline.engines import Profile
    from wasmimage.pipeline.toolchain import ResolvedToolchain


def compile_wasm(wasm: Path, cwasm: Path, info_path: Path) -> dict:
    """Compile wasm to cwasm and record how; returns the recorded info."""
    started = time.monotonic()
    try:
        module = wasmtime.Module.from_file(engine(), str(wasm))
    except wasmtime.WasmtimeError as exc:
        raise StepFailed(f"{wasm}: wasmtime cannot compile it: {exc}") from None
    compiled = time.monotonic()
    files.write_bytes(cwasm, bytes(module.serialize()))
    info = {
        **engine_identity(),
        "wasm_sha256": files.sha256_file(wasm),
        "cwasm": {"file": cwasm.name, "sha256": files.sha256_file(cwasm), "size": cwasm.stat().st_size},
    }
    files.write_json(info_path, info)
    log.get("aot").info(f"compiled {wasm.name} -> {cwasm} ({info['cwasm']['size']} bytes) in "
                        f"{compiled - started:.2f}s")
    return info


def compile_for_profile(profile: Profile, compiler: ResolvedToolchain, wasm: Path, cwasm: Path,
                        info_path: Path) -> dict:
    """Compile wasm to cwasm with a CLI profile's own wasmtime (`wasmtime compile`), and record how."""
    command = profile.compile_command(compiler.vars[CLI_VAR], wasm, cwasm)
    started = time.monotonic()
    with files.atomic_path(cwasm) as tmp:
        command[command.index("-o") + 1] = str(tmp)
        # No inherited environment: wasmtime reads WASMTIME_BACKTRACE_DETAILS into what the .cwasm records.
        result = subprocess.run(command, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=False)
        if result.returncode != 0:
            raise StepFailed(f"engine profile {profile.name}: wasmtime {profile.wasmtime} cannot compile "
                             f"{wasm}:\n  {result.stderr.strip()[-1500:]}\n  ({' '.join(command)})")
    info = {**profile.identity(compiler), "wasm_sha256": files.sha256_file(wasm),
            "cwasm": {"file": cwasm.name, "sha256": files.sha256_file(cwasm), "size": cwasm.stat().st_size}}
    files.write_json(info_path, info)
    log.get("aot").info(f"{profile.name}: compiled {wasm.name} -> {cwasm} ({info['cwasm']['size']} bytes) with "
                        f"wasmtime {profile.wasmtime} in {time.monotonic() - started:.2f}s")
    return info
