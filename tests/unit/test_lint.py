"""ruff and mypy, as pyproject.toml configures them, find nothing.

They run here, in the fast tier, rather than as steps of scripts/test: so `scripts/test tests/unit`
(the tier one iterates with) and CI both include them, a finding fails like any test, with the
tool's own report as the message, and `scripts/test -k NAME` still runs one test alone.
Each fails on any finding: a lint rule broken (ruff), a type error or a stale `# type: ignore`
(mypy, strict on the run half and its foundations).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.project import ROOT


@pytest.mark.parametrize("command", [
    ["ruff", "check", "--no-cache", "."],  # every Python file but conformance/ (see pyproject.toml)
    ["mypy"],  # `files` in pyproject.toml: wasmimage/
], ids=lambda command: command[0])
def test_the_linters_find_nothing(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"`{' '.join(command)}` (exit {done.returncode}):\n{done.stdout}{done.stderr}"
