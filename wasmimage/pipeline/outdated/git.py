"""Git tags: the versions a repository has tagged, from `git ls-remote --tags` on each mirror's copy, then upstream.

A tag's version is its name from the first digit on (`v1.2.3`, `release-1.2`), ordered by
PEP 440; other tags, and the `wasmimage/<commit>` tags `python -m wasmimage mirror` writes,
are ignored. The pin is a commit: its version is the newest tag that points at it, and an
untagged commit cannot be placed (the newest tag is still shown). Tags say nothing of
security releases.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wasmimage.errors import PipelineError, Unavailable
from wasmimage.pipeline.outdated.base import Answer, Context, Result
from wasmimage.pipeline.outdated.versions import Version, newest, pep440

NAME = "git tags"
TIMEOUT = 60  # seconds for one `git ls-remote`


@dataclass(frozen=True)
class GitQuery:
    location: str  # the upstream URL
    commit: str
    mirror_name: str  # what a mirror holds the repository as (NAME.git)


def ask(queries: list[GitQuery], context: Context) -> Result:
    return {query: _ask_one(query, context.fetch.mirrors) for query in queries}


def _ask_one(query: GitQuery, mirrors: tuple[str, ...]) -> Answer | PipelineError:
    failures = []
    for location in [*(f"{mirror.rstrip('/')}/{query.mirror_name}" for mirror in mirrors), query.location]:
        if "://" not in location and not Path(location).exists():
            failures.append(f"{location}: not there")
            continue
        try:
            result = subprocess.run(["git", "ls-remote", "--tags", location], capture_output=True, text=True,
                                    check=False, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                                    env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        except subprocess.TimeoutExpired:
            failures.append(f"{location}: no answer in {TIMEOUT} s")
            continue
        if result.returncode != 0:
            failures.append(f"{location}: " + (result.stderr.strip().splitlines() or ["git ls-remote failed"])[-1])
            continue
        return _answer(query, result.stdout)
    return Unavailable("; ".join(failures))


def _answer(query: GitQuery, listing: str) -> Answer:
    tags: dict[str, str] = {}  # tag -> the commit it names
    for line in listing.splitlines():
        commit, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):  # an annotated tag, peeled: the commit it points at
            tags[name.removesuffix("^{}")] = commit
        else:
            tags.setdefault(name, commit)
    versions: list[tuple[Version, str]] = []
    for name, commit in tags.items():
        digit = re.search(r"\d", name)
        version = pep440(name[digit.start():]) if digit and not name.startswith("wasmimage/") else None
        if version is not None:
            versions.append((dataclasses.replace(version, text=name), commit))
    pinned = newest([version for version, commit in versions if commit == query.commit])
    offered = tuple(version for version, _ in versions
                    if not version.prerelease or (pinned is not None and pinned.prerelease))
    notes = () if pinned else (f"no version tag points at the pinned commit {query.commit[:12]}",)
    return Answer(pinned, offered, notes=notes)
