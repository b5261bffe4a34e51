"""The one logger: `[stage] message` lines on stderr, with -v (debug) and -q (warnings only).

Every module logs through `get(stage)`; nothing else prints progress. The handler looks up
sys.stderr when it writes (not when it is made), so pytest's capture and doit's output
redirection both see the lines. Standard library only.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

ROOT = "wasmimage"


class _CurrentStderr(logging.StreamHandler[TextIO]):
    """A StreamHandler on whatever sys.stderr is at the moment of each record."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _StagePrefix(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stage = record.name.removeprefix(ROOT + ".") if record.name != ROOT else ""
        message = super().format(record)
        return f"[{stage}] {message}" if stage else f"wasmimage: {message}"


def _configure() -> logging.Logger:
    root = logging.getLogger(ROOT)
    if not root.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(_StagePrefix("%(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
    return root


_configure()


def get(stage: str) -> logging.Logger:
    """The logger for one stage or room: its lines start with `[stage]`."""
    return logging.getLogger(f"{ROOT}.{stage}")


def set_verbosity(verbosity: int) -> None:
    """-q (-1): warnings and errors only; default (0): progress; -v (1 or more): debug detail too."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    logging.getLogger(ROOT).setLevel(level)
