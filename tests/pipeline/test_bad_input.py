"""doit refuses to start on a broken recipe or toolchain, with the loader's one clear error.

The corpus and its expected messages are tests/unit/test_bad_input.py's. dodo.py validates
every recipe when doit loads it, before any command looks at a task, so one load per case
shows the refusal: each case goes through doit's own loader (`doit list`) in this process,
and a few cases through the real command line, `doit list` and `doit build` side by side,
which must exit non-zero with the message on stderr. In both, nothing may be created: no
artifacts/, build/, cache or task database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from doit.doit_cmd import DoitMain

from unit.test_bad_input import CASES, REPO, make_project  # the unit half's corpus

# One of each kind of defect: YAML itself, a toolchain file, a recipe field.
COMMAND_LINE_CASES = ("yaml-duplicate-key", "toolchain-unknown-kind", "source-http-url")


def _doit(root: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WASMIMAGE_")}
    env["WASMIMAGE_CACHE_DIR"] = str(root / ".cache" / "sources")
    return subprocess.Popen([sys.executable, "-m", "doit", *args], cwd=root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _tree(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts)


def assert_refused(case: str, root: Path, output: str) -> None:
    for fragment in CASES[case]["expect"]:
        assert fragment in output, f"{fragment!r} missing from:\n{output}"
    assert "Traceback" not in output, output
    assert f"{root}/" in output


@pytest.fixture
def doit_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., int]]:
    """Run doit's command line in this process on the dodo.py of the current directory; its
    module, sys.path entry and working directory are undone afterwards."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(os.getcwd())
    yield lambda *args: DoitMain().run(list(args))
    sys.modules.pop("dodo", None)


@pytest.mark.parametrize("case", sorted(CASES))
def test_doit_refuses_to_load(tmp_path, case, doit_here, monkeypatch, capsys):
    root = make_project(tmp_path / "project", case)
    shutil.copy(REPO / "dodo.py", root / "dodo.py")
    before = _tree(root)
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as refused:
        doit_here("list")
    assert_refused(case, root, str(refused.value.code))
    assert capsys.readouterr().out == "", "doit listed tasks"
    assert _tree(root) == before, "nothing was created"


@pytest.mark.parametrize("case", COMMAND_LINE_CASES)
def test_doit_command_line_refuses_to_start(tmp_path, case):
    root = make_project(tmp_path / "project", case, with_code=True)
    before = _tree(root)
    runs = {command: _doit(root, command) for command in ("list", "build")}  # side by side: half the wait
    for command, process in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode != 0, f"doit {command} succeeded:\n{stdout}{stderr}"
        assert_refused(case, root, stderr)
        assert ". " not in stdout, f"doit {command} started a task:\n{stdout}"
    assert _tree(root) == before, "nothing was created: no artifacts/, build/, cache or task database"


def test_doit_accepts_the_base_recipe(tmp_path, doit_here, monkeypatch, capsys):
    """Control: the same loader with the valid recipe lists its tasks, in this process and on the command line."""
    root = make_project(tmp_path / "project", "base", with_code=True)
    monkeypatch.chdir(root)
    assert doit_here("list", "--all") == 0
    listed = capsys.readouterr().out
    assert "compile:demo" in listed and "compile:quickjs" in listed
    stdout, stderr = _doit(root, "list", "--all").communicate(timeout=120)
    assert "compile:demo" in stdout and "compile:quickjs" in stdout, stderr
