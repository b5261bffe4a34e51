"""Snapshot stage: pre-initialize an interpreter once at build time (the Wizer technique).

A recipe with a `snapshot` section also builds its interpreter as a WASI reactor that
exports the snapshot ABI:

  wasmimage_init()                            runtime, context, globals; no argv, env or file
  wasmimage_alloc(size) -> ptr                room in guest memory for a call's arguments
  wasmimage_run(call, filename_len, len) -> rc  one script per fresh instance; `call` holds two
                                              output captures, the file name, NUL, source, NUL
and, for a recipe whose protocols have executors (run.protocols), each prepared once here:
  wasmimage_preload(call, filename_len, len) -> slot, or < 0 if the script failed; runs its top
                                              level (imports, definitions) at build time
  wasmimage_run_preloaded(call, slot) -> rc   runs that slot's per-call entry (`call`: only the captures)

This stage instantiates the reactor, runs `_initialize` and `wasmimage_init`, and writes a
new module whose data segments are the resulting linear memory and whose globals hold their
final values, without those two exports. Every call then starts from a copy-on-write copy of
that memory instead of building the interpreter's world again.

Why not Wizer: it now lives in wasmtime (the wasmtime-wizer crate, `wasmtime wizer`); the
release matching wasmtime-py 50.0.1 resolves to 324 crates, 46 of which need Rust 1.97,
newer than the 1.96 this project's toolchain has, and under --allow-wasi it hands init the
real clock and entropy, so two snapshots would differ. Here init sees a WASI with a fixed clock (0), zero
"random" bytes, no arguments and no environment, and, read-only, the image's own mounted files
(run.mounts: CPython boots from its standard library zip; init_files.py). Nothing of
the caller's, and any other import (output, other files, exit) fails the stage, so a snapshot
cannot depend on the build machine, and the same reactor and files always give the same
bytes. The interpreter reseeds its randomness, and reads the call's arguments, environment and
directories, in wasmimage_run.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import wasmtime

from wasmimage import files, log
from wasmimage.errors import InvalidInput, StepFailed
from wasmimage.pipeline.init_files import InitFiles, memory
from wasmimage.pipeline.wasm_binary import (
    DATA,
    DATA_COUNT,
    EXPORT,
    GLOBAL,
    MEMORY,
    PAGE,
    START,
    Module,
    const_expr,
    data_segments,
    exports_section,
    parse,
    uleb,
    vector,
    with_sections,
)
from wasmimage.runtime.snapshot_abi import (
    ABI_VERSION,
    ALLOC,
    CAPTURES_SIZE,
    INIT,
    PRELOAD,
    export_problem,
    snapshot_abi,
    typed_export,
)

REACTOR_START = "_initialize"  # wasi-libc's reactor constructor entry: it ran at build time
GLOBAL_EXPORT = "__wasmimage_snapshot_global_"
WASI = "wasi_snapshot_preview1"


def _deterministic_wasi(linker: wasmtime.Linker, module: wasmtime.Module, where: str, init_files: InitFiles,
                        written: list[bytes], phase: list[str]) -> None:
    """What init (and preloading) may use: a clock stuck at 0, zero "entropy", no arguments or
    environment, the standard streams as a call finds them (RustPython's init makes its
    sys.stdout), and reads of the image's mounted `init_files` (with none, no directory is
    preopened). Each write is kept in `written` (the stage fails, showing them: it is how a
    reactor says why init failed); anything else fails the stage, naming the `phase` (phase[0]:
    the export running) that called it."""

    def clock_time_get(caller: wasmtime.Caller, clock: int, precision: int, out: int) -> int:
        memory(caller).write(caller, bytes(8), out)
        return 0

    def random_get(caller: wasmtime.Caller, buf: int, size: int) -> int:
        memory(caller).write(caller, bytes(size), buf)
        return 0

    def sizes_get(caller: wasmtime.Caller, count: int, size: int) -> int:  # no arguments, no environment
        memory(caller).write(caller, bytes(4), count)
        memory(caller).write(caller, bytes(4), size)
        return 0

    def empty_get(caller: wasmtime.Caller, pointers: int, buffer: int) -> int:
        return 0

    def fd_write(caller: wasmtime.Caller, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
        guest = memory(caller)
        vectors = struct.iter_unpack("<II", guest.read(caller, iovs, iovs + 8 * iovs_len))
        data = b"".join(guest.read(caller, at, at + length) for at, length in vectors)
        written.append(data[:65536])
        guest.write(caller, struct.pack("<I", len(data)), nwritten)
        return 0

    allowed: dict[str, Callable[..., int]] = {
        "clock_time_get": clock_time_get, "random_get": random_get, "fd_write": fd_write,
        "args_sizes_get": sizes_get, "environ_sizes_get": sizes_get, "args_get": empty_get,
        "environ_get": empty_get, **init_files.functions()}
    for imp in module.imports:
        if imp.module != WASI or imp.name is None or not isinstance(imp.type, wasmtime.FuncType):
            raise InvalidInput(f"{where}: imports {imp.module}.{imp.name}; a snapshot reactor may import "
                               f"only {WASI} functions")
        if imp.name in allowed:
            linker.define_func(WASI, imp.name, imp.type, allowed[imp.name], access_caller=True)
        else:
            linker.define_func(WASI, imp.name, imp.type, _refusal(imp.name))


def _refusal(name: str) -> Callable[..., None]:
    """A stand-in for the WASI function `name` that fails the call it is in."""
    def refuse(*args: object) -> None:
        raise wasmtime.WasmtimeError(f"it called {WASI}.{name}, which a snapshot cannot depend on")
    return refuse


def _check_abi(module: wasmtime.Module, where: str, preload: bool) -> None:
    problem = export_problem(module, snapshot_abi(preload), memory=True)
    if problem:
        raise InvalidInput(f"{where}: {problem}")


def snapshot(reactor: bytes, where: str, preload: tuple[tuple[str, bytes], ...] = (),
             mounts: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> bytes:
    """The pre-initialized module made from `reactor` (see the module docstring).

    `preload`: (file name, source) of each script to prepare in the snapshot, into slots 0, 1, ...
    in this order; `mounts`: (guest directory, its files) init may read, in the order the runner
    preopens them.
    """
    module = parse(reactor, where)
    defined_globals = range(module.imported_globals, module.imported_globals + len(module.globals))
    probes = [(f"{GLOBAL_EXPORT}{i}", 3, i) for i in defined_globals if module.globals[i - module.imported_globals][1]]
    instrumented = with_sections(module, {EXPORT: exports_section(module.exports + probes)})

    engine = wasmtime.Engine()
    try:
        compiled = wasmtime.Module(engine, instrumented)
    except wasmtime.WasmtimeError as exc:
        raise StepFailed(f"{where}: wasmtime cannot compile it: {exc}") from None
    _check_abi(compiled, where, bool(preload))
    store = wasmtime.Store(engine)
    exports = _initialize(engine, compiled, store, where, preload, mounts)
    memory = typed_export(exports, "memory", wasmtime.Memory)
    image = bytes(memory.read(store, 0, memory.data_len(store)))
    final_values = {index: typed_export(exports, name, wasmtime.Global).value(store) for name, _, index in probes}
    return _initialized_module(module, image, final_values)


def _initialize(engine: wasmtime.Engine, compiled: wasmtime.Module, store: wasmtime.Store, where: str,
                preload: tuple[tuple[str, bytes], ...],
                mounts: tuple[tuple[str, tuple[Path, ...]], ...]) -> Mapping[str, object]:
    """Instantiates `compiled` under the deterministic WASI and runs its constructor, init and each
    preload, failing the stage (with what the reactor wrote, its only way to say why) if any traps,
    misplaces a slot or writes output."""
    linker = wasmtime.Linker(engine)
    written: list[bytes] = []
    phase = [INIT]
    _deterministic_wasi(linker, compiled, where, InitFiles(mounts), written, phase)
    try:
        instance = linker.instantiate(store, compiled)
        exports = instance.exports(store)
        if REACTOR_START in exports:
            typed_export(exports, REACTOR_START, wasmtime.Func)(store)
        typed_export(exports, INIT, wasmtime.Func)(store)
        for expected_slot, (filename, source) in enumerate(preload):
            phase[0] = f"{PRELOAD} of script {expected_slot} ({len(source)} bytes as {filename})"
            name = filename.encode()
            call = bytes(CAPTURES_SIZE) + name + b"\0" + source + b"\0"
            buffer = typed_export(exports, ALLOC, wasmtime.Func)(store, len(call))
            typed_export(exports, "memory", wasmtime.Memory).write(store, call, buffer)
            slot = typed_export(exports, PRELOAD, wasmtime.Func)(store, buffer, len(name), len(source))
            if slot != expected_slot:
                said = f": {_text(written)}" if written else ""
                raise StepFailed(f"{where}: {phase[0]} failed (slot {slot}){said}")
    except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
        said = f"; it wrote (fd_write): {_text(written)}" if written else ""
        raise StepFailed(f"{where}: {phase[0]} failed: {str(exc).strip()}{said}") from None
    if written:
        raise StepFailed(f"{where}: {INIT} or {PRELOAD} wrote output (fd_write), which a snapshot cannot "
                         f"depend on: {_text(written)}")
    return exports


def _initialized_module(module: Module, image: bytes, final_values: dict[int, float]) -> bytes:
    """`module` with `image` as its data, each mutable defined global (by index) initialized to its
    final value, and the exports and start function that ran at build time gone."""
    globals_ = list(module.globals)
    for index, value in final_values.items():
        valtype, mutable, _ = globals_[index - module.imported_globals]
        globals_[index - module.imported_globals] = (valtype, mutable, const_expr(valtype, value))
    flags, _, maximum = module.memory
    pages = len(image) // PAGE
    segments = data_segments(image)
    kept = [e for e in module.exports if e[0] not in (INIT, PRELOAD, REACTOR_START)]
    replaced: dict[int, bytes | None] = {
        GLOBAL: vector([bytes([t, m]) + init for t, m, init in globals_]),
        EXPORT: exports_section(kept),
        MEMORY: vector([bytes([flags]) + uleb(pages) + (uleb(maximum) if maximum is not None else b"")]),
        DATA: vector(segments),
        START: None,
    }
    has_data_count = any(section_id == DATA_COUNT for section_id, _ in module.sections)
    if has_data_count:
        replaced[DATA_COUNT] = uleb(len(segments))
    return with_sections(module, replaced)


def _text(written: list[bytes]) -> str:
    return b"".join(written)[:65536].decode(errors="replace").strip()


def snapshot_stage(reactor: Path, snapshot_wasm: Path, snapshot_cwasm: Path, info_path: Path,
                   preload: tuple[tuple[str, Path], ...] = (),
                   mounts: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> dict:
    """Snapshot `reactor` (with `preload`: each script's guest file name and file, distinct;
    `mounts`: guest directory, the files in it), AOT-compile the snapshot, and record both
    (aot-info's shape plus the reactor's sha256 and each preloaded script's slot by its sha256)."""
    from wasmimage.pipeline.aot import compile_wasm

    started = time.monotonic()
    scripts = tuple((name, path.read_bytes()) for name, path in preload)
    files.write_bytes(snapshot_wasm, snapshot(reactor.read_bytes(), str(reactor), scripts, mounts))
    log.get("snapshot").info(f"{reactor.name} -> {snapshot_wasm} ({snapshot_wasm.stat().st_size} bytes) in "
                             f"{time.monotonic() - started:.2f}s")
    info = {**compile_wasm(snapshot_wasm, snapshot_cwasm, info_path), "reactor_sha256": files.sha256_file(reactor),
            "abi": ABI_VERSION, "preloaded": {files.sha256_file(path): slot for slot, (_, path) in enumerate(preload)}}
    files.write_json(info_path, info)
    return info

