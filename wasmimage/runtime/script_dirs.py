"""The script's file: each distinct script in a directory of its own, mounted read-only as /script."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from wasmimage import files
from wasmimage.digests import sha256_hex

SCRIPT_DIR = "/script"
RUN_DIR_PREFIX = "wasmimage-scripts-"


class ScriptDirs:
    """Each distinct script in a directory of its own, mounted read-only as /script.

    The interpreter's argv names the script as a file, so it has to be one. The files live
    in one private directory per process, content-addressed: a script run again (an
    executor, a repeated job) costs no file writes, and up to KEEP_IDLE unused ones stay.
    The directory is flock-held while the process lives (files.owned_temp) and removed at
    exit; what a killed process left is removed by the next process that runs a script.
    """

    KEEP_IDLE = 32

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the parent's directory stays the parent's

    def _reset(self) -> None:
        self._root: Path | None = None
        self._in_use: dict[str, int] = {}
        self._idle: OrderedDict[str, None] = OrderedDict()

    def _root_dir(self) -> Path:
        if self._root is None:
            tmp = Path(tempfile.gettempdir())
            files.sweep_stale(tmp, RUN_DIR_PREFIX)
            owner = ExitStack()
            self._root = owner.enter_context(files.owned_temp(tmp, RUN_DIR_PREFIX, is_dir=True))
            pid = os.getpid()

            def close_in_owner() -> None:  # a forked child must not remove its parent's directory
                if os.getpid() == pid:
                    owner.close()
            atexit.register(close_in_owner)
        return self._root

    @contextmanager
    def use(self, script_name: str, script: bytes) -> Iterator[Path]:
        key = sha256_hex(script_name.encode() + b"\0" + script)
        with self._lock:
            path = self._root_dir() / key
            if key in self._idle:
                del self._idle[key]
            elif key not in self._in_use:
                path.mkdir(exist_ok=True)
                (path / script_name).write_bytes(script)
            self._in_use[key] = self._in_use.get(key, 0) + 1
        try:
            yield path
        finally:
            with self._lock:
                self._in_use[key] -= 1
                if not self._in_use[key]:
                    del self._in_use[key]
                    self._idle[key] = None
                    while len(self._idle) > self.KEEP_IDLE:
                        shutil.rmtree(path.parent / self._idle.popitem(last=False)[0], ignore_errors=True)


scripts = ScriptDirs()
