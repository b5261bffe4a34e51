"""Directories granted with `dirs=`: per call, a private copy of their regular files is what the guest sees.

Host-side WASI file I/O is out of the deadline's reach (epochs interrupt only wasm code), so a
FIFO, a device or a slow network file in a granted directory could block a guest's read for
ever. The guest therefore never reads the host directory itself: each call gets a copy of its
regular files and subdirectories (symbolic links, FIFOs, sockets, devices and what this process
cannot read are left out), at most Limits.max_dir_bytes of files and MAX_ENTRIES entries in all,
in a private directory that goes when the call ends (one a killed process left, at the next
call's sweep: files.owned_temp, sweep_stale).

A `scratch=` grant is the one writable directory: new and empty for each call, beside those
copies, and gone with them. Nothing bounds what the guest writes there but the call's deadline
and the host's disk, so it is for code trusted with the disk (an interpreter's own test suite).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from wasmimage import files
from wasmimage.errors import InvalidInput

DIRS_PREFIX = "wasmimage-dirs-"
MAX_ENTRIES = 10_000  # files and directories in all granted directories of one call


class OverLimit(Exception):
    """The granted directories hold more than a call may copy: carries the reason, naming the file."""


@contextmanager
def staged(dirs: Mapping[str, Path] | None, max_bytes: int, scratch: str | None = None) -> Iterator[dict[str, Path]]:
    """Guest path -> a private copy of the granted host directory (and at `scratch`, a new empty
    directory), for the time of the context."""
    if not dirs and scratch is None:
        yield {}
        return
    tmp = Path(tempfile.gettempdir())
    files.sweep_stale(tmp, DIRS_PREFIX)
    with files.owned_temp(tmp, DIRS_PREFIX, is_dir=True) as root:
        budget = _Budget(max_bytes)
        copies = {}
        for index, (guest, host) in enumerate(sorted((dirs or {}).items())):
            copies[guest] = root / str(index)
            _copy_tree(Path(host), copies[guest], budget, guest)
        if scratch is not None:
            copies[scratch] = root / "scratch"
            copies[scratch].mkdir()
        yield copies


class _Budget:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.bytes_left, self.entries = max_bytes, max_bytes, 0

    def entry(self, guest: str, path: str) -> None:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise OverLimit(f"dirs: {guest}: {path}: the granted directories hold more than {MAX_ENTRIES} entries")

    def file(self, guest: str, path: str, copied: int) -> None:
        if copied > self.bytes_left:
            raise OverLimit(f"dirs: {guest}: {path}: the granted directories' files are over "
                            f"Limits.max_dir_bytes ({self.max_bytes} bytes)")
        self.bytes_left -= copied


def _copy_tree(source: Path, target: Path, budget: _Budget, guest: str) -> None:
    """Copy `source`'s regular files and directories into the new directory `target` (a loop, not a
    recursion: a directory may nest deeper than Python recurses)."""
    pending = [(source, target)]
    while pending:
        directory, copy = pending.pop()
        copy.mkdir()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable here: the guest sees it empty
        for entry in entries:
            budget.entry(guest, entry.path)
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), copy / entry.name))
            elif entry.is_file(follow_symlinks=False):
                _copy_file(Path(entry.path), copy / entry.name, budget, guest)


def _copy_file(source: Path, target: Path, budget: _Budget, guest: str) -> None:
    try:
        data = files.open_regular(source)
    except (OSError, InvalidInput):
        return  # unreadable here, or no longer a regular file since the scan: left out
    with data:
        budget.file(guest, str(source), files.copy_capped(data, target, budget.bytes_left))
