"""A small reader and writer of WebAssembly core module binaries: just what a snapshot rewrites.

The snapshot stage (snapshot.py) parses a reactor's sections, and writes the module again with its
globals, exports, memory and data replaced; everything else is copied byte for byte. The
encodings are those of the WebAssembly core specification, section 5 (binary format).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from wasmimage.errors import InvalidInput

PAGE = 65536
CHUNK = 4096  # memory is scanned in chunks; runs of non-zero chunks become data segments

# Section ids (WebAssembly core spec 5.5)
CUSTOM, IMPORT, MEMORY, GLOBAL, EXPORT, START, DATA, DATA_COUNT = 0, 2, 5, 6, 7, 8, 11, 12
VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64"}


class Reader:
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
                raise InvalidInput(f"unsupported opcode 0x{op:02x} in a constant expression")


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


def vector(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def name_bytes(text: str) -> bytes:
    return uleb(len(text.encode())) + text.encode()


def section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(payload)) + payload


@dataclass
class Module:
    """A module as its sections, with the parts a snapshot rewrites parsed out."""

    sections: list[tuple[int, bytes]]
    imported_globals: int
    globals: list[tuple[int, bool, bytes]]  # (valtype, mutable, init expr with its end)
    exports: list[tuple[str, int, int]]  # (name, kind, index)
    memory: tuple[int, int, int | None]  # the one defined memory's limits


def parse(data: bytes, where: str) -> Module:
    if data[:8] != b"\0asm\x01\0\0\0":
        raise InvalidInput(f"{where}: not a WebAssembly core module")
    r, sections = Reader(data, 8), []
    while r.pos < len(data):
        section_id = r.byte()
        sections.append((section_id, r.bytes(r.uleb())))
    module = Module(sections, 0, [], [], (0, 0, None))
    memories = []
    for section_id, payload in sections:
        s = Reader(payload)
        if section_id == IMPORT:
            for _ in range(s.uleb()):
                s.name(), s.name()
                kind = s.byte()
                if kind == 0:
                    s.uleb()
                elif kind == 1:
                    s.byte(), s.limits()
                elif kind == 2:
                    raise InvalidInput(f"{where}: imports its memory; a snapshot needs it defined inside")
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
                    raise InvalidInput(f"{where}: has passive data segments; a snapshot cannot keep them")
                if flags == 2:
                    s.uleb()
                s.const_expr()
                s.bytes(s.uleb())
    if len(memories) != 1 or memories[0][0] & ~1:
        raise InvalidInput(f"{where}: a snapshot needs exactly one 32-bit, unshared memory")
    module.memory = memories[0]
    return module


def with_sections(module: Module, replaced: dict[int, bytes | None]) -> bytes:
    """The module's bytes with some sections replaced (None drops one; a data section is added if missing)."""
    out = [b"\0asm\x01\0\0\0"]
    sections = module.sections
    if DATA in replaced and all(section_id != DATA for section_id, _ in sections):
        last = max(i for i, (section_id, _) in enumerate(sections) if section_id != CUSTOM)
        sections = [*sections[:last + 1], (DATA, b""), *sections[last + 1:]]
    for section_id, payload in sections:
        kept = replaced.get(section_id, payload)
        if kept is not None:
            out.append(section(section_id, kept))
    return b"".join(out)


def exports_section(entries: list[tuple[str, int, int]]) -> bytes:
    return vector([name_bytes(name) + bytes([kind]) + uleb(index) for name, kind, index in entries])


def const_expr(valtype: int, value: float) -> bytes:
    """The constant expression giving a global of `valtype` the `value` wasmtime read from it (an int for
    the integer types)."""
    kind = VALTYPES.get(valtype)
    if kind == "i32":
        return b"\x41" + sleb(struct.unpack("<i", struct.pack("<I", int(value) & 0xFFFFFFFF))[0]) + b"\x0b"
    if kind == "i64":
        return b"\x42" + sleb(struct.unpack("<q", struct.pack("<Q", int(value) & (2**64 - 1)))[0]) + b"\x0b"
    if kind == "f32":
        return b"\x43" + struct.pack("<f", value) + b"\x0b"
    if kind == "f64":
        return b"\x44" + struct.pack("<d", value) + b"\x0b"
    raise InvalidInput(f"a mutable global of type 0x{valtype:02x} cannot be snapshotted")


def data_segments(memory: bytes) -> list[bytes]:
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
