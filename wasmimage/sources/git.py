"""The git kind: one commit (40 hex) of a repository.

The cache holds a bare repository with that commit (`git/<commit>.git`), fetched shallowly
from a mirror's `<repository>.git` or the upstream URL; git verifies object hashes as it
fetches, and the fetched commit must be the pinned one. A cached repository is re-hashed
(`git fsck --strict`) before each use, since git reads objects without checking them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from wasmimage.errors import NotFound, Tampered, Unavailable
from wasmimage.sources.base import Context, Kind, Way

if TYPE_CHECKING:
    from wasmimage.recipe import Source


def cache_name(source: Source) -> str:
    return f"git/{source.commit}.git"


def mirror_name(source: Source) -> str:
    return source.location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") + ".git"


def describe(source: Source) -> str:
    return f"commit {source.commit}"


def verified(source: Source, repo: Path) -> bool:
    """True once git has re-hashed every object of a cached repository and found the commit; else Tampered.

    A repository planted in (or damaged in) a shared cache would otherwise be unpacked as is.
    """
    checks = (["fsck", "--strict", "--no-dangling", "--no-progress"], ["cat-file", "-e", f"{source.commit}^{{commit}}"])
    for check in checks:
        result = subprocess.run(["git", "--git-dir", str(repo), *check], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            lines = (result.stderr + result.stdout).strip().splitlines()
            detail = "\n    ".join(([x for x in lines if not x.startswith("notice:")] or lines)[:5]) or "failed"
            raise Tampered(f"{source.name}: the cached repository {repo} fails `git {' '.join(check)}`; "
                           f"refusing to use it:\n    {detail}\n  delete it to fetch commit {source.commit} again")
    return True


def fetch_commit(source: Source, location: str, work: Path) -> str:
    """Fetch the pinned commit from location (a repository path or URL) into the empty directory work."""
    if "://" not in location and not Path(location).exists():
        raise NotFound(f"{location}: not there")  # a mirror directory without this repository
    _git("init", "-q", "--bare", str(work))
    result = subprocess.run(["git", "-C", str(work), "fetch", "-q", "--depth", "1", location, source.commit],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["failed"]
        raise Unavailable(f"{location}: {next((x for x in lines if x.startswith('fatal:')), lines[-1])}")
    return location


def check(source: Source, work: Path, origin: str, ctx: Context) -> None:
    resolved = _git("-C", str(work), "rev-parse", "FETCH_HEAD").strip()
    if resolved != source.commit:
        raise Tampered(f"{source.name}: {origin} gave commit {resolved}, expected {source.commit}")


def upstream(source: Source, ctx: Context) -> list[Way]:
    def get(work: Path) -> str:
        try:
            return fetch_commit(source, source.location, work)
        except (NotFound, Unavailable) as exc:
            raise type(exc)(f"{source.name}: cannot fetch commit {source.commit} from {exc}") from None

    return [Way(get)]


def unpack(source: Source, repo: Path, root: Path) -> None:
    archive = subprocess.run(["git", "--git-dir", str(repo), "archive", "--format=tar", source.commit],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)


def read(source: Source, repo: Path, inner: str) -> bytes | None:
    result = subprocess.run(["git", "--git-dir", str(repo), "show", f"{source.commit}:{inner}"],
                            capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def to_mirror(source: Source, repo: Path, dest: Path) -> str:
    """Add the commit to the mirror's bare repository (made if new), under refs/tags/wasmimage/<commit>."""
    if not dest.exists():
        _git("init", "-q", "--bare", str(dest))
    _git("--git-dir", str(dest), "fetch", "-q", "--update-shallow", str(repo),
         f"{source.commit}:refs/tags/wasmimage/{source.commit}")
    return f"{dest} (commit {source.commit})"


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Unavailable(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


KIND = Kind("git", upstream, cache_name=cache_name, mirror_name=mirror_name, describe=describe, directory=True,
            reuse=verified, from_mirror=lambda source, location, work, ctx: fetch_commit(source, location, work),
            check=check, unpack=unpack, read=read, to_mirror=to_mirror)
