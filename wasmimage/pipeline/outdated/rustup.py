"""rustup's stable channel: the newest stable Rust, as `rustup check` reports it.

rustup is the ordinary client: its own dist server, proxies and RUSTUP_HOME apply, and no
host name is written here. It reports on the channels installed, so this needs a `stable`
toolchain installed (`rustup toolchain install stable --profile minimal`), and it names only
the newest release, not the ones between. The channel says nothing of security releases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from wasmimage.errors import InvalidInput, Unavailable
from wasmimage.pipeline.outdated.base import Answer, Context, Result
from wasmimage.pipeline.outdated.versions import semver

NAME = "rustup's stable channel"
TIMEOUT = 120  # seconds for `rustup check`


@dataclass(frozen=True)
class RustupQuery:
    version: str


def ask(queries: list[RustupQuery], context: Context) -> Result:
    binary = shutil.which("rustup")
    if binary is None:
        raise Unavailable("not asked: rustup is not installed")
    try:
        result = subprocess.run([binary, "check"], capture_output=True, text=True, check=False, timeout=TIMEOUT,
                                stdin=subprocess.DEVNULL, env={**os.environ, "RUSTUP_AUTO_INSTALL": "0"})
    except subprocess.TimeoutExpired:
        raise Unavailable(f"rustup check: no answer in {TIMEOUT} s") from None
    line = re.search(r"(?m)^stable-\S+ - (.*)$", result.stdout)
    if line is None:
        errors = [text for text in result.stderr.splitlines() if text.startswith("error")]
        raise Unavailable(f"rustup check: {errors[0]}" if errors else
                          "not asked: rustup check reports only installed channels, and no stable toolchain is "
                          "installed (rustup toolchain install stable --profile minimal)")
    # `update available: 1.95.0 (...) -> 1.99.1 (...)` or `up to date: 1.99.1 (...)` (older rustup: `Up to date : `)
    reported = re.fullmatch(r"(?i)(?:update available\s*:.*->|up to date\s*:)\s*(\S+).*", line.group(1))
    newest = semver(reported.group(1)) if reported else None
    if newest is None:
        raise Unavailable(f"rustup check: cannot read the stable channel's version from {line.group(0)!r}")
    results: Result = {}
    for query in queries:
        pinned = semver(query.version)
        results[query] = (Answer(pinned, (newest,), complete=False) if pinned else
                          InvalidInput(f"{query.version!r} is not a Rust version (MAJOR.MINOR.PATCH)"))
    return results
