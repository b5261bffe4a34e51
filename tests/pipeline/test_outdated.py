"""`doit outdated`: the same listing as `python -m wasmimage outdated`, through doit, against the stand-ins.

Fails if the task is not wired, does not pass --debian-release through, or does not fail
when a pin misses a security release.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.channels import (
    TOOLCHAIN_PROVIDERS,
    demo_project,
    environment,
    every_kind,
    git_mirror,
    rows,
    serve_crates,
    serve_debian,
    serve_pypi,
)
from helpers.flaky_server import FlakyServer
from helpers.project import copy_project, doit


def test_doit_outdated_lists_the_pins_and_fails_on_a_missing_security_release(tmp_path: Path,
                                                                              flaky_server: FlakyServer) -> None:
    project = copy_project(tmp_path / "project")
    for directory in ("recipes", "toolchains", "engines"):  # the demo project's, and no engine profiles
        shutil.rmtree(project / directory)
    commit = git_mirror(tmp_path / "mirror")
    demo_project(project, every_kind(commit), TOOLCHAIN_PROVIDERS)
    env = environment(tmp_path, crate_index=serve_crates(flaky_server), pypi=serve_pypi(flaky_server),
                      WASMIMAGE_DEBIAN_ARCHIVES=serve_debian(flaky_server), WASMIMAGE_MIRRORS=str(tmp_path / "mirror"))
    result = doit(project, "outdated", "--debian-release", "bookworm", env=env, check=False)
    shown = result.stdout + result.stderr
    table = rows(result.stdout)
    assert table["recipes/demo.yaml: zlib"][3:] == ["1:1.3.dfsg+really1.3.2-4 (unstable)", "1 minor release"], shown
    assert table["toolchains/demo-tools.yaml: debian: rustc-web"][3:] == [
        "1.96.0+dfsg1-1~deb12u3 (bookworm-security)", "1 revision"], shown  # bookworm's suites: the parameter arrived
    assert len(table) == 13, shown
    assert "outdated: exit status 1" in result.stderr, shown
    assert result.returncode != 0, shown
