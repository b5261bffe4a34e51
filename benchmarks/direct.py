"""A bare instantiate-and-run path, for what the runner cannot do: other engine configs.

The runner (wasmimage.runtime.runner.run_program) always uses the pipeline's one engine and makes
a fresh temporary directory per call. The lever measurements need modules compiled for
other engine configs, and an upper bound on calls/s without the per-call file system work;
this is that and nothing more (no limits beyond an epoch deadline, no output caps).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from wasmimage.runtime.engine import AotConfig, engine

_linkers: dict[int, wasmtime.Linker] = {}


_lock = threading.Lock()


def _linker(eng: wasmtime.Engine) -> wasmtime.Linker:
    with _lock:
        if id(eng) not in _linkers:
            linker = wasmtime.Linker(eng)
            linker.define_wasi()
            _linkers[id(eng)] = linker
        return _linkers[id(eng)]


@dataclass(frozen=True)
class DirectProgram:
    """A module for `config`'s engine, run with argv over a fixed, prepared script directory."""

    config: AotConfig
    module: wasmtime.Module
    argv: tuple[str, ...]

    @classmethod
    def compile(cls, config: AotConfig, wasm: Path, argv: tuple[str, ...]) -> DirectProgram:
        return cls(config, wasmtime.Module.from_file(engine(config), str(wasm)), argv)

    def run(self, script_dir: Path, guest_dir: str = "/script") -> tuple[int, bytes]:
        """Instantiate, run `_start`; returns (exit code, stdout)."""
        code, stdout, _ = self.run_timed(script_dir, guest_dir)
        return code, stdout

    def run_timed(self, script_dir: Path, guest_dir: str = "/script") -> tuple[int, bytes, Phases]:
        """Like run, also timing the phases of the call."""
        out = bytearray()

        def write(chunk: bytes) -> int:
            out.extend(chunk)
            return len(chunk)

        t0 = time.perf_counter()
        wasi = wasmtime.WasiConfig()
        wasi.argv = list(self.argv)
        wasi.stdout_custom = write
        wasi.preopen_dir(str(script_dir), guest_dir, fs_mutable=False)
        eng = engine(self.config)
        store = wasmtime.Store(eng)
        if self.config.epoch_interruption:
            store.set_epoch_deadline(1 << 40)
        store.set_wasi(wasi)
        try:
            t1 = time.perf_counter()
            instance = _linker(eng).instantiate(store, self.module)
            t2 = time.perf_counter()
            try:
                instance.exports(store)["_start"](store)
                code = 0
            except wasmtime.ExitTrap as exc:
                code = exc.code
            t3 = time.perf_counter()
        finally:
            store.close()
        return code, bytes(out), Phases(t1 - t0, t2 - t1, t3 - t2, time.perf_counter() - t3)


@dataclass(frozen=True)
class Phases:
    """Seconds spent in each part of one call."""

    setup: float  # WASI config and Store
    instantiate: float
    start: float  # the guest's _start: QuickJS runtime + context, eval, print
    teardown: float  # Store.close
