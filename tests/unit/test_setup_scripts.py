"""scripts/setup and scripts/test, the README's two commands, short of reinstalling the machine.

The machine's own dpkg answers what is installed. The stand-ins are for the parts that would
change the machine or that we cannot be: `apt-get` (records its arguments instead of
installing) and, for the no-root case, `id` (says uid 1000).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers.project import ROOT, copy_project
from wasmimage.errors import InvalidInput
from wasmimage.pipeline.provision import EXTRA, Wanted, missing, wanted
from wasmimage.pipeline.toolchain import installed_debian_versions, load_toolchain

NO_SUCH_PACKAGE = "wasmimage-test-no-such-package"


def test_the_pins_come_from_the_toolchain_files():
    packages = {w.package: w for w in wanted(ROOT / "toolchains")}
    for name in ("wasi-sdk", "rust-wasip1"):
        toolchain = load_toolchain(ROOT / "toolchains", name)
        debian = next(p for p in toolchain.providers if p.kind == "debian")
        for package, version in debian.packages.items():
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
    with pytest.raises(InvalidInput, match=r"wasi-libc is pinned to .* one version must win"):
        wanted(toolchains)


def test_only_what_dpkg_lacks_is_missing():
    dpkg = installed_debian_versions(["dpkg"])["dpkg"]
    if dpkg is None:
        pytest.skip("not a Debian machine (no dpkg)")
    packages = [Wanted("dpkg", dpkg, "at its version"), Wanted("dpkg", None, "any version"),
                Wanted("dpkg", "0.0-other", "another version"), Wanted(NO_SUCH_PACKAGE, None, "absent")]
    assert [w.why for w in missing(packages)] == ["another version", "absent"]


# --- the scripts themselves, in a copy of the project --------------------------------------


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
