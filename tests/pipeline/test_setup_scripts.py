"""scripts/setup installs once, then nothing; scripts/test runs in what it made (slow: pip).

The machine's own dpkg answers what is installed. The stand-ins are for the parts that would
change the machine or that we cannot be: `apt-get` (records its arguments instead of
installing) and, for the no-root case, `id` (says uid 1000).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.project import copy_project
from unit.test_setup_scripts import NO_SUCH_PACKAGE  # the unit half's


def fake_bin(directory: Path, uid: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {directory}/apt-get.calls\n')
    (directory / "id").write_text(f'#!/bin/sh\n[ "$1" = -u ] && echo {uid} || exec /usr/bin/id "$@"\n')
    for tool in ("apt-get", "id"):
        (directory / tool).chmod(0o755)
    return directory


def setup(project: Path, bin_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{bin_dir}:{Path(sys.executable).parent}:{env['PATH']}"
    started = time.monotonic()
    result = subprocess.run([str(project / "scripts" / "setup"), *args], cwd=project, env=env,
                            capture_output=True, text=True, check=False)
    return result, time.monotonic() - started


def apt_calls(bin_dir: Path) -> list[str]:
    calls = bin_dir / "apt-get.calls"
    return calls.read_text().splitlines() if calls.exists() else []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout whose .venv shares this interpreter's packages (pip installs only ours)."""
    project = copy_project(tmp_path_factory.mktemp("setup") / "checkout")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(project / ".venv")], check=True)
    return project


@pytest.mark.slow  # pip builds the editable package (about a minute; PyPI for setuptools)
def test_setup_installs_once_then_does_nothing(project: Path, tmp_path: Path):
    bin_dir = fake_bin(tmp_path / "bin", uid=0)
    first, _ = setup(project, bin_dir, "--no-build")
    assert first.returncode == 0, first.stderr
    assert "pip install -e '.[build,test,bench]' into .venv" in first.stderr
    stamp = project / ".venv" / ".wasmimage-installed"
    installed_at = stamp.stat().st_mtime_ns

    second, seconds = setup(project, bin_dir, "--no-build")
    print(f"\nsecond `scripts/setup --no-build`: {seconds:.1f}s")
    assert second.returncode == 0, second.stderr
    assert "pip skipped" in second.stderr and "apt-get skipped" in second.stderr
    assert stamp.stat().st_mtime_ns == installed_at and apt_calls(bin_dir) == []

    # The test command runs in that environment.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    tests = subprocess.run([str(project / "scripts" / "test"), "tests/unit/test_setup_scripts.py", "-q", "-k",
                            "pins_come_from"], cwd=project, env=env, capture_output=True, text=True, check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "[test] .venv/bin/python -m pytest -ra" in tests.stderr and "1 passed" in tests.stdout

    # A pin that is not installed: as root, apt-get installs it at the pinned version ...
    toolchain = project / "toolchains" / "wasi-sdk.yaml"
    toolchain.write_text(toolchain.read_text().replace(
        '      clang-19: "1:19.1.7-3~deb12u1"\n',
        f'      clang-19: "1:19.1.7-3~deb12u1"\n      {NO_SUCH_PACKAGE}: "1.0-1"\n'))
    as_root, _ = setup(project, bin_dir, "--no-build")
    assert as_root.returncode == 0, as_root.stderr
    assert f"install {NO_SUCH_PACKAGE}=1.0-1: pinned by toolchains/wasi-sdk.yaml" in as_root.stderr
    assert apt_calls(bin_dir)[-1] == (f"install -y -qq --no-install-recommends --allow-downgrades "
                                      f"{NO_SUCH_PACKAGE}=1.0-1")

    # ... and without root the script says what to ask an administrator for, and stops.
    user_bin = fake_bin(tmp_path / "user-bin", uid=1000)
    as_user, _ = setup(project, user_bin, "--no-build")
    assert as_user.returncode == 1
    assert "needs root; ask an administrator to run:" in as_user.stderr
    assert (f"sudo apt-get update && sudo apt-get install -y --no-install-recommends --allow-downgrades "
            f"{NO_SUCH_PACKAGE}=1.0-1") in as_user.stderr
    assert apt_calls(user_bin) == []
