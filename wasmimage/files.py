"""Atomic writes: a reader sees the old file or the complete new one, never a partial one.

Temporary files and directories are made by `owned_temp`, which holds an flock on them
while their writer lives. A writer killed mid-way (SIGKILL, power loss) leaves its
temporary behind under a name no reader takes for a result; `sweep_stale` removes such
leftovers, and only those: a temporary whose lock is still held belongs to a live writer.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

# re-exported (`as`): callers across the package say files.sha256_file
from wasmimage.digests import sha256_file as sha256_file
from wasmimage.errors import InvalidInput, Unavailable

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@contextmanager
def owned_temp(directory: Path, prefix: str, *, is_dir: bool = False) -> Iterator[Path]:
    """A new temporary file (or directory) in directory, locked while the context lasts.

    Whatever is still at the path when the context ends is removed; rename it away to keep it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    while True:
        if is_dir:
            name = tempfile.mkdtemp(dir=directory, prefix=prefix)
            try:
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue  # a sweep took it before we could even open it: make another
        else:
            fd, name = tempfile.mkstemp(dir=directory, prefix=prefix)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.path.samestat(os.fstat(fd), os.lstat(name)):
                break  # still ours: no sweep took it between creation and locking
        except FileNotFoundError:
            pass
        os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        try:
            _remove(path)
        finally:
            os.close(fd)


def sweep_stale(directory: Path, prefix: str) -> list[Path]:
    """Remove entries named prefix* in directory that no live writer holds; return them."""
    try:
        entries = [e for e in directory.iterdir() if e.name.startswith(prefix)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    removed = []
    for entry in entries:
        try:
            fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.path.samestat(os.fstat(fd), os.lstat(entry)):
                _remove(entry)
                removed.append(entry)
        except OSError:
            continue  # locked by a live writer, or already gone
        finally:
            os.close(fd)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def no_space(exc: OSError) -> bool:
    return exc.errno in _NO_SPACE


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside target; on success fsync it and rename it over target.

    A full disk is Unavailable, naming the target; the temporary is removed either way.
    """
    prefix = f".{target.name}.partial-"
    sweep_stale(target.parent, prefix)
    try:
        with owned_temp(target.parent, prefix) as tmp:
            yield tmp
            with tmp.open("rb") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
    except OSError as exc:
        if exc.errno is not None and no_space(exc):
            raise Unavailable(f"{target}: cannot write it: {os.strerror(exc.errno)} "
                              f"(on the file system of {target.parent}); nothing was written") from None
        raise


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_json(target: Path, data: Any) -> None:
    write_bytes(target, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


def copy(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def parse_json(data: str | bytes) -> Any:
    """json.loads, where nesting too deep for its parser is a ValueError like any other malformed JSON
    (JSON from outside: a registry, a layout, an image)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("it nests too deeply") from None


def read_json(path: Path) -> Any:
    return parse_json(path.read_text(encoding="utf-8"))


def replace_dir(new: Path, target: Path) -> None:
    """Swap the directory `new` into `target`: a reader sees the old or the new one, never a mix.

    A crash between the two renames leaves `.NAME.old-PID` beside target (and no target);
    the next writer's sweep removes it.
    """
    os.chmod(new, 0o755)
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)



def open_regular(path: Path, *, follow_links: bool = False, dir_fd: int | None = None) -> BinaryIO:
    """`path` open for reading if it is a regular file, else InvalidInput naming it (FileNotFoundError
    when there is nothing there). Never blocks: a FIFO is opened without waiting for a writer, then
    refused with devices and sockets; a final symbolic link is refused unless `follow_links`."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        link = " (a symbolic link?)" if exc.errno == errno.ELOOP else ""
        raise InvalidInput(f"{path}: cannot open it{link}: {exc.strerror}; refusing it") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise InvalidInput(f"{path}: {kind}; refusing it (only regular files are read)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_capped(path: Path, limit: int, *, follow_links: bool = False) -> bytes:
    """A regular file's bytes (open_regular), InvalidInput naming it and the limit if it holds more than `limit`."""
    with open_regular(path, follow_links=follow_links) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{path}: over the {limit}-byte limit; refusing it")
    return data


def copy_capped(source: BinaryIO, target: Path, limit: int) -> int:
    """Copy at most limit + 1 bytes of `source` into the new file `target`; returns how many it copied
    (limit + 1 means there was more: the caller refuses it, naming its own limit)."""
    copied = 0
    with target.open("xb") as out:
        while copied <= limit and (chunk := source.read(min(1 << 20, limit + 1 - copied))):
            out.write(chunk)
            copied += len(chunk)
    return copied
