"""Snapshot stage: pre-initialize an interpreter once at build time (the Wizer technique).

A recipe with a `snapshot` section also builds its interpreter as a WASI reactor that
exports the snapshot ABI:

  wasmimage_init()                            runtime, context, globals; no argv, env or file
  wasmimage_alloc(size) -> ptr                room in guest memory for a call's arguments
  wasmimage_run(call, filename_len, len) -> rc  one script per fresh instance; `call` holds two
                                              output captures, the file name, NUL, source, NUL
and, for a recipe whose `call` protocol has an executor (run.protocols.call or run.executor), compiled once here:
  wasmimage_preload(call, filename_len, len) -> 1 if the script does not compile
  wasmimage_run_preloaded(call) -> rc         runs it (`call`: only the captures)

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
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from wasmimage import files, log
from wasmimage.errors import PipelineError
from wasmimage.init_files import InitFiles
from wasmimage.runtime.snapshot_abi import ABI, ABI_VERSION, ALLOC, CAPTURES_SIZE, INIT, PRELOAD, PRELOAD_ABI

REACTOR_START = "_initialize"  # wasi-libc's reactor constructor entry: it ran at build time
GLOBAL_EXPORT = "__wasmimage_snapshot_global_"
PAGE = 65536
CHUNK = 4096  # memory is scanned in chunks; runs of non-zero chunks become data segments
WASI = "wasi_snapshot_preview1"

# Section ids (WebAssembly core spec 5.5)
CUSTOM, IMPORT, MEMORY, GLOBAL, EXPORT, START, DATA, DATA_COUNT = 0, 2, 5, 6, 7, 8, 11, 12
VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def bytes(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def name(self) -> str:
        return self.bytes(self.uleb()).decode()

    def limits(self) -> tuple[int, int, int | None]:
        flags = self.byte()
        minimum = self.uleb()
        return flags, minimum, self.uleb() if flags & 1 else None

    def const_expr(self) -> None:
        """Skip a constant expression up to and including its `end`."""
        while (op := self.byte()) != 0x0B:
            if op in (0x41, 0x42):  # i32.const / i64.const: signed LEB
                while self.byte() & 0x80:
                    pass
            elif op in (0x43, 0x44):
                self.bytes(4 if op == 0x43 else 8)
            elif op in (0x23, 0xD2):  # global.get / ref.func
                self.uleb()
            elif op == 0xD0:  # ref.null
                self.byte()
            elif op not in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):  # extended-const arithmetic
                raise PipelineError(f"unsupported opcode 0x{op:02x} in a constant expression")


def uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | (0x80 if value else 0))
        if not value:
            return bytes(out)


def sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        done = (value == 0 and not b & 0x40) or (value == -1 and b & 0x40)
        out.append(b | (0 if done else 0x80))
        if done:
            return bytes(out)


def _vector(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def _name(text: str) -> bytes:
    return uleb(len(text.encode())) + text.encode()


def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(payload)) + payload


@dataclass
class _Module:
    """A module as its sections, with the parts a snapshot rewrites parsed out."""

    sections: list[tuple[int, bytes]]
    imported_globals: int
    globals: list[tuple[int, bool, bytes]]  # (valtype, mutable, init expr with its end)
    exports: list[tuple[str, int, int]]  # (name, kind, index)
    memory: tuple[int, int, int | None]  # the one defined memory's limits


def parse(data: bytes, where: str) -> _Module:
    if data[:8] != b"\0asm\x01\0\0\0":
        raise PipelineError(f"{where}: not a WebAssembly core module")
    r, sections = _Reader(data, 8), []
    while r.pos < len(data):
        section_id = r.byte()
        sections.append((section_id, r.bytes(r.uleb())))
    module = _Module(sections, 0, [], [], (0, 0, None))
    memories = []
    for section_id, payload in sections:
        s = _Reader(payload)
        if section_id == IMPORT:
            for _ in range(s.uleb()):
                s.name(), s.name()
                kind = s.byte()
                if kind == 0:
                    s.uleb()
                elif kind == 1:
                    s.byte(), s.limits()
                elif kind == 2:
                    raise PipelineError(f"{where}: imports its memory; a snapshot needs it defined inside")
                else:
                    s.bytes(2)
                    module.imported_globals += 1
        elif section_id == MEMORY:
            memories = [s.limits() for _ in range(s.uleb())]
        elif section_id == GLOBAL:
            for _ in range(s.uleb()):
                valtype, mutable, start = s.byte(), s.byte(), s.pos
                s.const_expr()
                module.globals.append((valtype, bool(mutable), payload[start:s.pos]))
        elif section_id == EXPORT:
            module.exports = [(s.name(), s.byte(), s.uleb()) for _ in range(s.uleb())]
        elif section_id == DATA:
            for _ in range(s.uleb()):
                flags = s.uleb()
                if flags == 1:
                    raise PipelineError(f"{where}: has passive data segments; a snapshot cannot keep them")
                if flags == 2:
                    s.uleb()
                s.const_expr()
                s.bytes(s.uleb())
    if len(memories) != 1 or memories[0][0] & ~1:
        raise PipelineError(f"{where}: a snapshot needs exactly one 32-bit, unshared memory")
    module.memory = memories[0]
    return module


def _with(module: _Module, replaced: dict[int, bytes | None]) -> bytes:
    """The module's bytes with some sections replaced (None drops one; a data section is added if missing)."""
    out = [b"\0asm\x01\0\0\0"]
    sections = module.sections
    if DATA in replaced and all(section_id != DATA for section_id, _ in sections):
        last = max(i for i, (section_id, _) in enumerate(sections) if section_id != CUSTOM)
        sections = [*sections[:last + 1], (DATA, b""), *sections[last + 1:]]
    for section_id, payload in sections:
        payload = replaced.get(section_id, payload)
        if payload is not None:
            out.append(_section(section_id, payload))
    return b"".join(out)


def _exports(entries: list[tuple[str, int, int]]) -> bytes:
    return _vector([_name(name) + bytes([kind]) + uleb(index) for name, kind, index in entries])


def _deterministic_wasi(linker: wasmtime.Linker, module: wasmtime.Module, where: str, init_files: InitFiles,
                        written: list[bytes]) -> None:
    """What init may use: a clock stuck at 0, zero "entropy", no arguments or environment, the
    standard streams as a call finds them (RustPython's init makes its sys.stdout), and reads of
    the image's mounted `init_files` (with none, no directory is preopened). Each write is kept
    in `written` (the stage fails, showing them: it is how a reactor says why init failed);
    anything else fails the stage."""

    def clock_time_get(caller: wasmtime.Caller, clock: int, precision: int, out: int) -> int:
        caller.get("memory").write(caller, bytes(8), out)
        return 0

    def random_get(caller: wasmtime.Caller, buf: int, size: int) -> int:
        caller.get("memory").write(caller, bytes(size), buf)
        return 0

    def sizes_get(caller: wasmtime.Caller, count: int, size: int) -> int:  # no arguments, no environment
        caller.get("memory").write(caller, bytes(4), count)
        caller.get("memory").write(caller, bytes(4), size)
        return 0

    def empty_get(caller: wasmtime.Caller, pointers: int, buffer: int) -> int:
        return 0

    def fd_write(caller: wasmtime.Caller, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
        memory = caller.get("memory")
        vectors = struct.iter_unpack("<II", memory.read(caller, iovs, iovs + 8 * iovs_len))
        data = b"".join(memory.read(caller, at, at + length) for at, length in vectors)
        written.append(data[:65536])
        memory.write(caller, struct.pack("<I", len(data)), nwritten)
        return 0

    allowed = {"clock_time_get": clock_time_get, "random_get": random_get, "fd_write": fd_write,
               "args_sizes_get": sizes_get, "environ_sizes_get": sizes_get, "args_get": empty_get,
               "environ_get": empty_get, **init_files.functions()}
    for imp in module.imports:
        if imp.module != WASI or not isinstance(imp.type, wasmtime.FuncType):
            raise PipelineError(f"{where}: imports {imp.module}.{imp.name}; a snapshot reactor may import "
                                f"only {WASI} functions")
        if imp.name in allowed:
            linker.define_func(WASI, imp.name, imp.type, allowed[imp.name], access_caller=True)
        else:
            def refuse(*args: object, name: str = imp.name) -> None:
                raise wasmtime.WasmtimeError(f"{INIT} called {WASI}.{name}, which a snapshot cannot depend on")
            linker.define_func(WASI, imp.name, imp.type, refuse)


def _check_abi(module: wasmtime.Module, where: str, preload: bool) -> None:
    exported = {e.name: e.type for e in module.exports}
    abi = {**ABI, **(PRELOAD_ABI if preload else {})}
    for name, (params, results) in abi.items():
        ty = exported.get(name)
        if not isinstance(ty, wasmtime.FuncType) or ([str(p) for p in ty.params], [str(r) for r in ty.results]) \
                != (params, results):
            raise PipelineError(f"{where}: must export {name}({', '.join(params)}) -> ({', '.join(results)}), "
                                f"the snapshot ABI (wasmimage/runtime/snapshot_abi.py)")


def _const(valtype: int, value: object) -> bytes:
    kind = VALTYPES.get(valtype)
    if kind == "i32":
        return b"\x41" + sleb(struct.unpack("<i", struct.pack("<I", value & 0xFFFFFFFF))[0]) + b"\x0b"
    if kind == "i64":
        return b"\x42" + sleb(struct.unpack("<q", struct.pack("<Q", value & (2**64 - 1)))[0]) + b"\x0b"
    if kind == "f32":
        return b"\x43" + struct.pack("<f", value) + b"\x0b"
    if kind == "f64":
        return b"\x44" + struct.pack("<d", value) + b"\x0b"
    raise PipelineError(f"a mutable global of type 0x{valtype:02x} cannot be snapshotted")


def _data_segments(memory: bytes) -> list[bytes]:
    """Active segments for the non-zero chunks of `memory` (a fresh memory is zero)."""
    segments, start = [], None
    for at in range(0, len(memory) + CHUNK, CHUNK):
        nonzero = at < len(memory) and memory[at:at + CHUNK].count(0) != len(memory[at:at + CHUNK])
        if nonzero and start is None:
            start = at
        elif not nonzero and start is not None:
            chunk = memory[start:at]
            lead = len(chunk) - len(chunk.lstrip(b"\0"))
            body = chunk.strip(b"\0")
            offset = start + lead
            segments.append(b"\x00\x41" + sleb(struct.unpack("<i", struct.pack("<I", offset))[0]) + b"\x0b"
                            + uleb(len(body)) + body)
            start = None
    return segments


def snapshot(reactor: bytes, where: str, preload: tuple[str, bytes] | None = None,
             mounts: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> bytes:
    """The pre-initialized module made from `reactor` (see the module docstring).

    `preload`: (file name, source) of a script to compile into the snapshot; `mounts`:
    (guest directory, its files) init may read, in the order the runner preopens them.
    """
    module = parse(reactor, where)
    defined_globals = range(module.imported_globals, module.imported_globals + len(module.globals))
    probes = [(f"{GLOBAL_EXPORT}{i}", 3, i) for i in defined_globals if module.globals[i - module.imported_globals][1]]
    instrumented = _with(module, {EXPORT: _exports(module.exports + probes)})

    engine = wasmtime.Engine()
    try:
        compiled = wasmtime.Module(engine, instrumented)
    except wasmtime.WasmtimeError as exc:
        raise PipelineError(f"{where}: wasmtime cannot compile it: {exc}") from None
    _check_abi(compiled, where, preload is not None)
    linker = wasmtime.Linker(engine)
    written: list[bytes] = []
    _deterministic_wasi(linker, compiled, where, InitFiles(mounts), written)
    store = wasmtime.Store(engine)
    try:
        instance = linker.instantiate(store, compiled)
        exports = instance.exports(store)
        if REACTOR_START in exports:
            exports[REACTOR_START](store)
        exports[INIT](store)
        if preload is not None:
            name, source = preload[0].encode(), preload[1]
            call = bytes(CAPTURES_SIZE) + name + b"\0" + source + b"\0"
            buffer = exports[ALLOC](store, len(call))
            exports["memory"].write(store, call, buffer)
            if exports[PRELOAD](store, buffer, len(name), len(source)) != 0:
                raise PipelineError(f"{where}: {PRELOAD}: {preload[0]} does not compile")
    except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
        said = f"; it wrote (fd_write): {_text(written)}" if written else ""
        raise PipelineError(f"{where}: {INIT} failed: {str(exc).strip()}{said}") from None
    if written:
        raise PipelineError(f"{where}: {INIT} wrote output (fd_write), which a snapshot cannot depend on: "
                            f"{_text(written)}")
    memory = exports["memory"]
    image = memory.read(store, 0, memory.data_len(store))

    globals_ = list(module.globals)
    for name, _, index in probes:
        valtype, mutable, _ = globals_[index - module.imported_globals]
        globals_[index - module.imported_globals] = (valtype, mutable, _const(valtype, exports[name].value(store)))
    flags, _, maximum = module.memory
    pages = len(image) // PAGE
    segments = _data_segments(image)
    kept = [e for e in module.exports if e[0] not in (INIT, PRELOAD, REACTOR_START)]
    replaced = {
        GLOBAL: _vector([bytes([t, m]) + init for t, m, init in globals_]),
        EXPORT: _exports(kept),
        MEMORY: _vector([bytes([flags]) + uleb(pages) + (uleb(maximum) if maximum is not None else b"")]),
        DATA: _vector(segments),
        START: None,
    }
    has_data_count = any(section_id == DATA_COUNT for section_id, _ in module.sections)
    if has_data_count:
        replaced[DATA_COUNT] = uleb(len(segments))
    return _with(module, replaced)


def _text(written: list[bytes]) -> str:
    return b"".join(written)[:65536].decode(errors="replace").strip()


def snapshot_stage(reactor: Path, snapshot_wasm: Path, snapshot_cwasm: Path, info_path: Path,
                   preload: tuple[str, Path] | None = None,
                   mounts: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> dict:
    """Snapshot `reactor` (with `preload`: guest file name, script file; `mounts`: guest directory,
    the files in it), AOT-compile the snapshot, and record both (aot-info's shape plus the
    reactor and the preloaded script's sha256)."""
    from wasmimage.aot import compile_wasm

    started = time.monotonic()
    script = (preload[0], preload[1].read_bytes()) if preload else None
    files.write_bytes(snapshot_wasm, snapshot(reactor.read_bytes(), str(reactor), script, mounts))
    log.get("snapshot").info(f"{reactor.name} -> {snapshot_wasm} ({snapshot_wasm.stat().st_size} bytes) in "
                             f"{time.monotonic() - started:.2f}s")
    info = {**compile_wasm(snapshot_wasm, snapshot_cwasm, info_path), "reactor_sha256": files.sha256_file(reactor),
            "abi": ABI_VERSION, "preloaded_sha256": files.sha256_file(preload[1]) if preload else None}
    files.write_json(info_path, info)
    return info

