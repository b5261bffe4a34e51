"""scripts/setup and scripts/test, the README's two commands, short of reinstalling the machine.

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
from conftest import ROOT, copy_project

from wasmimage.errors import PipelineError
from wasmimage.provision import EXTRA, Wanted, missing, wanted
from wasmimage.toolchain import installed_debian_versions, load_toolchain

NO_SUCH_PACKAGE = "wasmimage-test-no-such-package"


def test_the_pins_come_from_the_toolchain_files():
    packages = {w.package: w for w in wanted(ROOT / "toolchains")}
    for name in ("wasi-sdk", "rust-wasip1"):
        toolchain = load_toolchain(ROOT / "toolchains", name)
        debian = next(p for p in toolchain.providers if p["kind"] == "debian")
        for package, version in debian["packages"].items():
            assert packages[package].version == version
            assert packages[package].apt_argument == f"{package}={version}"
    assert all(packages[p].version is None or p not in EXTRA for p in EXTRA)
    assert packages["skopeo"].apt_argument == "skopeo" and "registry" in packages["docker-registry"].why


def test_two_different_pins_for_one_package_are_refused(tmp_path: Path):
    toolchains = tmp_path / "toolchains"
    toolchains.mkdir()
    for name in ("wasi-sdk", "rust-wasip1"):
        (toolchains / f"{name}.yaml").write_text((ROOT / "toolchains" / f"{name}.yaml").read_text())
    path = toolchains / "wasi-sdk.yaml"
    path.write_text(path.read_text().replace('wasi-libc: "0.0~git20220510.9886d3d-2"', 'wasi-libc: "9.9"'))
    with pytest.raises(PipelineError, match=r"wasi-libc is pinned to .* one version must win"):
        wanted(toolchains)


def test_only_what_dpkg_lacks_is_missing():
    dpkg = installed_debian_versions(["dpkg"])["dpkg"]
    if dpkg is None:
        pytest.skip("not a Debian machine (no dpkg)")
    packages = [Wanted("dpkg", dpkg, "at its version"), Wanted("dpkg", None, "any version"),
                Wanted("dpkg", "0.0-other", "another version"), Wanted(NO_SUCH_PACKAGE, None, "absent")]
    assert [w.why for w in missing(packages)] == ["another version", "absent"]


# --- the scripts themselves, in a copy of the project --------------------------------------

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
    assert "pip install -e '.[build,test]' into .venv" in first.stderr
    stamp = project / ".venv" / ".wasmimage-installed"
    installed_at = stamp.stat().st_mtime_ns

    second, seconds = setup(project, bin_dir, "--no-build")
    print(f"\nsecond `scripts/setup --no-build`: {seconds:.1f}s")
    assert second.returncode == 0, second.stderr
    assert "pip skipped" in second.stderr and "apt-get skipped" in second.stderr
    assert stamp.stat().st_mtime_ns == installed_at and apt_calls(bin_dir) == []

    # The test command runs in that environment.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    tests = subprocess.run([str(project / "scripts" / "test"), "tests/test_setup_scripts.py", "-q", "-k",
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


def test_the_test_command_wants_setup_first(tmp_path: Path):
    project = copy_project(tmp_path / "checkout")
    result = subprocess.run([str(project / "scripts" / "test")], cwd=project, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "run scripts/setup first" in result.stderr


def test_ci_runs_the_two_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/setup || status=$?" in ci and "scripts/test || status=$?" in ci
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in quick_start.strip().splitlines()] == ["scripts/setup",
                                                                                        "scripts/test"]
