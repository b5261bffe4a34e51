"""PyPI: the released versions of a package that have an sdist, as pip finds them.

pip is the ordinary client: its index configuration (`pip config list`, PIP_INDEX_URL, extra
indexes, find-links, certificates) applies, and no host name is written here. The list comes
from `pip download --no-binary :all: --no-deps` of a requirement no release meets
(`NAME===wasmimage-outdated`): pip then names every version it found, counting, as a
`pypi-sdist` pin does, only releases with an sdist. (`pip index versions` counts wheels too.)
Pre-releases count only for a pre-release pin; pip lists yanked releases as well. Versions
follow PEP 440 (`packaging`). PyPI says nothing of security releases.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from wasmimage.errors import InvalidInput, NotFound, PipelineError, Unavailable
from wasmimage.pipeline.outdated.base import Answer, Context, Result
from wasmimage.pipeline.outdated.versions import pep440

NAME = "PyPI (pip's index)"
NO_RELEASE = "===wasmimage-outdated"  # an arbitrary-equality requirement no version string meets
FOUND = re.compile(r"\(from versions: (.*)\)")  # how pip names the versions it found


@dataclass(frozen=True)
class SdistQuery:
    name: str
    version: str


def ask(queries: list[SdistQuery], context: Context) -> Result:
    return {query: _ask_one(query) for query in queries}


def _ask_one(query: SdistQuery) -> Answer | PipelineError:
    pinned = pep440(query.version)
    if pinned is None:
        return InvalidInput(f"{query.version!r} is not a PEP 440 version")
    with tempfile.TemporaryDirectory(prefix="wasmimage-outdated-") as work:
        command = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "--dest", work,
                   "--retries", "1", "--timeout", "20", "--disable-pip-version-check", query.name + NO_RELEASE]
        result = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    said = (result.stderr + result.stdout).splitlines()
    trouble = [line for line in said
               if line.startswith("WARNING") and ("Retrying" in line or "Could not fetch" in line)]
    found = next((match.group(1) for match in map(FOUND.search, said) if match), None)
    if found is None or (found == "none" and trouble):
        detail = trouble or [line for line in said if line.startswith("ERROR")] or [f"exit status {result.returncode}"]
        return Unavailable(f"pip download {query.name}: {detail[0]}")
    if found == "none":
        return NotFound(f"pip's index has no sdist of {query.name}")
    versions = (pep440(text.strip()) for text in found.split(","))
    return Answer(pinned, tuple(v for v in versions if v and (pinned.prerelease or not v.prerelease)))
