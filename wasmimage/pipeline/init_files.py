"""The files a snapshot's init may read: the image's own mounted files, read-only, as WASI sees them.

CPython boots from its standard library zip, so its init opens, stats and reads files. It
cannot be given wasmtime's WASI over host directories: a stat there reports the host's
inode numbers and access and change times, and those bytes stay in the snapshot's memory
(freed, but not cleared), so two builds would differ. Here the files are held in memory
and every stat reports the same numbers (inode by position, times 0), so the same files
give the same snapshot on every machine. The standard streams exist and are empty, as
the runner's are when a call starts; nothing can be written or created.

Only what a reader needs of WASI preview 1 is here; snapshot.py refuses every other call.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import wasmtime

# errno values, file types and open flags of WASI preview 1
SUCCESS, BADF, INVAL, ISDIR, NOENT, NOTDIR, ROFS, SPIPE, NOTCAPABLE = 0, 8, 28, 31, 44, 54, 69, 70, 76
UNKNOWN, DIRECTORY, REGULAR_FILE = 0, 3, 4
O_CREAT, O_DIRECTORY, O_EXCL, O_TRUNC = 1, 2, 4, 8
ALL_RIGHTS = 2**64 - 1
FILESTAT = struct.Struct("<QQB7xQQQQQ")  # dev, ino, filetype, nlink, size, atim, mtim, ctim
FDSTAT = struct.Struct("<BxH4xQQ")  # filetype, flags, rights base, rights inheriting
DIRENT = struct.Struct("<QQIB3x")  # next cookie, inode, name length, type
STDIO = (0, 1, 2)


@dataclass
class _Open:
    """An open descriptor: a mounted directory (its files by name), or a file and its offset."""

    inode: int
    directory: dict[str, tuple[int, bytes]] | None = None
    data: bytes = b""
    offset: int = 0
    guest: str = ""  # a preopened directory's guest path

    def filetype(self) -> int:
        return DIRECTORY if self.directory is not None else REGULAR_FILE


@dataclass
class InitFiles:
    """The mounts, preopened from descriptor 3 in the order given (as the runner preopens them)."""

    mounts: tuple[tuple[str, tuple[Path, ...]], ...]
    table: dict[int, _Open] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inode = 1
        for fd, (guest, paths) in enumerate(self.mounts, start=3):
            directory = {}
            for path in paths:
                inode += 1
                directory[path.name] = (inode, path.read_bytes())
            self.table[fd] = _Open(inode=1000 * fd, directory=directory, guest=guest)

    def functions(self) -> dict[str, Callable[..., int]]:
        """The WASI functions, by import name (each takes the Caller first)."""
        return {"fd_prestat_get": self.fd_prestat_get, "fd_prestat_dir_name": self.fd_prestat_dir_name,
                "path_open": self.path_open, "fd_read": self.fd_read, "fd_pread": self.fd_pread,
                "fd_seek": self.fd_seek, "fd_tell": self.fd_tell, "fd_close": self.fd_close,
                "fd_advise": self.fd_advise, "fd_fdstat_get": self.fd_fdstat_get,
                "fd_filestat_get": self.fd_filestat_get, "path_filestat_get": self.path_filestat_get,
                "fd_readdir": self.fd_readdir, "path_readlink": self.path_readlink}

    # --- descriptors -------------------------------------------------------------------------------

    def fd_prestat_get(self, caller: wasmtime.Caller, fd: int, out: int) -> int:
        opened = self.table.get(fd)
        if opened is None or not opened.guest:
            return BADF
        _write(caller, out, struct.pack("<B3xI", 0, len(opened.guest.encode())))
        return SUCCESS

    def fd_prestat_dir_name(self, caller: wasmtime.Caller, fd: int, path: int, length: int) -> int:
        opened = self.table.get(fd)
        if opened is None or not opened.guest:
            return BADF
        _write(caller, path, opened.guest.encode()[:length])
        return SUCCESS

    def fd_fdstat_get(self, caller: wasmtime.Caller, fd: int, out: int) -> int:
        if fd in STDIO:
            _write(caller, out, FDSTAT.pack(UNKNOWN, 0, ALL_RIGHTS, ALL_RIGHTS))
            return SUCCESS
        opened = self.table.get(fd)
        if opened is None:
            return BADF
        _write(caller, out, FDSTAT.pack(opened.filetype(), 0, ALL_RIGHTS, ALL_RIGHTS))
        return SUCCESS

    def fd_filestat_get(self, caller: wasmtime.Caller, fd: int, out: int) -> int:
        if fd in STDIO:  # what the runner's streams report: nothing
            _write(caller, out, FILESTAT.pack(0, 0, UNKNOWN, 0, 0, 0, 0, 0))
            return SUCCESS
        opened = self.table.get(fd)
        if opened is None:
            return BADF
        _write(caller, out, _filestat(opened.inode, opened.filetype(), len(opened.data)))
        return SUCCESS

    def fd_close(self, caller: wasmtime.Caller, fd: int) -> int:
        opened = self.table.get(fd)
        if opened is None or opened.guest:
            return BADF
        del self.table[fd]
        return SUCCESS

    def fd_advise(self, caller: wasmtime.Caller, fd: int, offset: int, length: int, advice: int) -> int:
        return SUCCESS if fd in self.table else BADF

    # --- reading -----------------------------------------------------------------------------------

    def fd_read(self, caller: wasmtime.Caller, fd: int, iovs: int, count: int, nread: int) -> int:
        if fd in STDIO:  # empty stdin
            _write(caller, nread, struct.pack("<I", 0))
            return SUCCESS
        opened = self._file(fd)
        if isinstance(opened, int):
            return opened
        done = _scatter(caller, iovs, count, opened.data, opened.offset)
        opened.offset += done
        _write(caller, nread, struct.pack("<I", done))
        return SUCCESS

    def fd_pread(self, caller: wasmtime.Caller, fd: int, iovs: int, count: int, offset: int, nread: int) -> int:
        opened = self._file(fd)
        if isinstance(opened, int):
            return opened
        _write(caller, nread, struct.pack("<I", _scatter(caller, iovs, count, opened.data, offset)))
        return SUCCESS

    def fd_seek(self, caller: wasmtime.Caller, fd: int, offset: int, whence: int, out: int) -> int:
        opened = self._file(fd)
        if isinstance(opened, int):
            return SPIPE if fd in STDIO else opened
        base = {0: 0, 1: opened.offset, 2: len(opened.data)}.get(whence)
        if base is None or base + offset < 0:
            return INVAL
        opened.offset = base + offset
        _write(caller, out, struct.pack("<Q", opened.offset))
        return SUCCESS

    def fd_tell(self, caller: wasmtime.Caller, fd: int, out: int) -> int:
        opened = self._file(fd)
        if isinstance(opened, int):
            return opened
        _write(caller, out, struct.pack("<Q", opened.offset))
        return SUCCESS

    def fd_readdir(self, caller: wasmtime.Caller, fd: int, buf: int, length: int, cookie: int, used: int) -> int:
        opened = self.table.get(fd)
        if opened is None:
            return BADF
        if opened.directory is None:
            return NOTDIR
        entries = [(".", opened.inode, DIRECTORY), ("..", opened.inode, DIRECTORY),
                   *((name, inode, REGULAR_FILE) for name, (inode, _) in sorted(opened.directory.items()))]
        out = b"".join(DIRENT.pack(index + 1, inode, len(name.encode()), kind) + name.encode()
                       for index, (name, inode, kind) in enumerate(entries) if index >= cookie)
        _write(caller, buf, out[:length])
        _write(caller, used, struct.pack("<I", min(len(out), length)))
        return SUCCESS

    # --- paths -------------------------------------------------------------------------------------

    def path_open(self, caller: wasmtime.Caller, fd: int, dirflags: int, path: int, path_len: int, oflags: int,
                  rights: int, inheriting: int, fdflags: int, out: int) -> int:
        found = self._lookup(caller, fd, path, path_len)
        if isinstance(found, int):
            return ROFS if found == NOENT and oflags & O_CREAT else found
        if oflags & (O_CREAT | O_EXCL | O_TRUNC):
            return ROFS
        if oflags & O_DIRECTORY and found.directory is None:
            return NOTDIR
        new_fd = next(n for n in range(3, len(self.table) + 4) if n not in self.table)
        self.table[new_fd] = _Open(found.inode, found.directory, found.data)
        _write(caller, out, struct.pack("<I", new_fd))
        return SUCCESS

    def path_filestat_get(self, caller: wasmtime.Caller, fd: int, flags: int, path: int, path_len: int,
                          out: int) -> int:
        found = self._lookup(caller, fd, path, path_len)
        if isinstance(found, int):
            return found
        _write(caller, out, _filestat(found.inode, found.filetype(), len(found.data)))
        return SUCCESS

    def path_readlink(self, caller: wasmtime.Caller, fd: int, path: int, path_len: int, buf: int, length: int,
                      used: int) -> int:
        found = self._lookup(caller, fd, path, path_len)
        return found if isinstance(found, int) else INVAL  # nothing here is a link

    def _lookup(self, caller: wasmtime.Caller, fd: int, path: int, path_len: int) -> _Open | int:
        """What `path` names under directory `fd`, or an errno. The mounts are flat: a file or the directory."""
        opened = self.table.get(fd)
        if opened is None:
            return BADF
        if opened.directory is None:
            return NOTDIR
        parts: list[str] = []
        for part in _read(caller, path, path_len).decode(errors="replace").split("/"):
            if part == "..":
                if not parts:
                    return NOTCAPABLE
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        if not parts:
            return _Open(opened.inode, opened.directory)
        if len(parts) == 1 and parts[0] in opened.directory:
            inode, data = opened.directory[parts[0]]
            return _Open(inode, data=data)
        return NOENT

    def _file(self, fd: int) -> _Open | int:
        opened = self.table.get(fd)
        if opened is None:
            return BADF
        return ISDIR if opened.directory is not None else opened


def _filestat(inode: int, filetype: int, size: int) -> bytes:
    return FILESTAT.pack(0, inode, filetype, 1, size, 0, 0, 0)


def memory(caller: wasmtime.Caller) -> wasmtime.Memory:
    """The calling module's `memory` export (snapshot._check_abi requires one)."""
    found = caller.get("memory")
    if not isinstance(found, wasmtime.Memory):
        raise wasmtime.WasmtimeError("the module exports no memory named `memory`")
    return found


def _write(caller: wasmtime.Caller, at: int, data: bytes) -> None:
    memory(caller).write(caller, data, at)


def _read(caller: wasmtime.Caller, at: int, length: int) -> bytes:
    return bytes(memory(caller).read(caller, at, at + length))


def _scatter(caller: wasmtime.Caller, iovs: int, count: int, data: bytes, offset: int) -> int:
    """Copy data[offset:] into the guest's buffers; the bytes copied."""
    done = 0
    for at, length in struct.iter_unpack("<II", _read(caller, iovs, 8 * count)):
        chunk = data[offset + done:offset + done + length]
        if chunk:
            _write(caller, at, chunk)
        done += len(chunk)
        if len(chunk) < length:
            break
    return done
