"""AOT stage: compile a .wasm to a .cwasm with the runtime's one recorded engine configuration.

The configuration, the engine and the checked loading of a .cwasm live in
wasmimage/runtime/engine.py, so what the build compiles for is what the runtime loads with.
"""

from __future__ import annotations

import time
from pathlib import Path

import wasmtime

from wasmimage import files, log
from wasmimage.errors import PipelineError
from wasmimage.runtime.engine import engine, engine_identity


def compile_wasm(wasm: Path, cwasm: Path, info_path: Path) -> dict:
    """Compile wasm to cwasm and record how; returns the recorded info."""
    started = time.monotonic()
    try:
        module = wasmtime.Module.from_file(engine(), str(wasm))
    except wasmtime.WasmtimeError as exc:
        raise PipelineError(f"{wasm}: wasmtime cannot compile it: {exc}") from None
    compiled = time.monotonic()
    files.write_bytes(cwasm, module.serialize())
    info = {
        **engine_identity(),
        "wasm_sha256": files.sha256_file(wasm),
        "cwasm": {"file": cwasm.name, "sha256": files.sha256_file(cwasm), "size": cwasm.stat().st_size},
    }
    files.write_json(info_path, info)
    log.get("aot").info(f"compiled {wasm.name} -> {cwasm} ({info['cwasm']['size']} bytes) in "
                        f"{compiled - started:.2f}s")
    return info
