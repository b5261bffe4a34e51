"""The git kind: one commit (40 hex) of a repository.

The cache holds a bare repository with that commit (`git/<commit>.git`), fetched shallowly
from a mirror's `<repository>.git` or the upstream URL; git verifies object hashes as it
fetches, and the fetched commit must be the pinned one.

A cached repository is never read as it is: git would take its config (a `filter.*.smudge`,
a `core.fsmonitor`, an `include.path`) and its `info/attributes` (`filter`, `export-ignore`,
`export-subst`) from it and run commands or change the files it hands out, whatever its
objects are. So before each use its objects, and only those (loose objects and packs that are
plain files: no links, no alternates, no commit-graph), are copied into a fresh repository
this project makes (`checked_copy`), where `git index-pack` and `git fsck --strict` re-hash
every object and check that the pinned commit's whole tree is there; everything is read from
that copy, with no system or global git configuration (GIT_ENV) and every attribute that
could change an archive unset (ATTRIBUTES), so a source is the commit's tree byte for byte.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from wasmimage import files
from wasmimage.errors import NotFound, Tampered, Unavailable
from wasmimage.sources.base import (
    PARTIAL,
    Context,
    Entry,
    Kind,
    Releases,
    SbomFacts,
    Source,
    Way,
    from_entry,
    last_part,
)

KEY = "git"
# git as this project runs it on repositories it made: no system or global configuration, no
# attributes file of the user's, no GIT_* variable from the caller (a GIT_DIR, a GIT_CONFIG_*).
GIT_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_ATTR_NOSYSTEM": "1"}
# $GIT_DIR/info/attributes of the copy, which outranks every .gitattributes: no end-of-line or
# encoding conversion, no ident, no filter, nothing left out or substituted by `git archive`.
ATTRIBUTES = "* -text -eol -crlf -ident -filter -working-tree-encoding -export-ignore -export-subst\n"
PINNED = "refs/heads/pinned"  # the copy's one ref: fsck checks that everything it reaches is there


def _commit(source: Source) -> str:
    """The commit a git source pins (its schema requires one)."""
    assert source.commit is not None
    return source.commit


def repository(location: str) -> str:
    """A repository's name: the URL's last part, without `.git`."""
    return last_part(location).removesuffix(".git")


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    return from_entry(KEY, entry, repository(entry[KEY]))


def cache_name(source: Source) -> str:
    return f"git/{source.commit}.git"


def mirror_name(source: Source) -> str:
    return repository(source.location) + ".git"


def describe(source: Source) -> str:
    return f"commit {source.commit}"


def verified(source: Source, repo: Path) -> bool:
    """True once a copy of a cached repository's objects passes the checks (checked_copy); else Tampered."""
    with checked_copy(source, repo):
        return True


@contextmanager
def checked_copy(source: Source, repo: Path) -> Iterator[Path]:
    """A fresh bare repository holding only the objects of the cached `repo`, re-hashed, with the pinned
    commit and its whole tree; Tampered if they fail (a repository planted in or damaged in a shared cache)."""
    with files.owned_temp(repo.parent, PARTIAL, is_dir=True) as copy:
        _git("init", "-q", "--bare", "--template=", "-b", PINNED.rsplit("/", 1)[1], str(copy))
        (copy / "info").mkdir()
        (copy / "info" / "attributes").write_text(ATTRIBUTES)
        for kind, path in _objects(repo / "objects"):
            target = copy / path.relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            if _copy_plain_file(path, target) and kind == "pack":
                _check(source, repo, copy, ["index-pack", str(target)])
        (copy / "shallow").write_text(_commit(source) + "\n")  # its parents need not be there
        _check(source, repo, copy, ["cat-file", "-e", f"{source.commit}^{{commit}}"])
        _check(source, repo, copy, ["update-ref", PINNED, _commit(source)])
        _check(source, repo, copy, ["fsck", "--strict", "--no-dangling", "--no-progress"])
        yield copy


def _objects(objects: Path) -> Iterator[tuple[str, Path]]:
    """The names of loose objects and packs under objects/, in directories that are not links."""
    def directory(path: Path) -> bool:
        try:
            return stat.S_ISDIR(os.lstat(path).st_mode)
        except OSError:
            return False

    if not directory(objects):
        return
    for fanout in sorted(objects.iterdir()):
        if re.fullmatch(r"[0-9a-f]{2}", fanout.name) and directory(fanout):
            yield from (("loose", p) for p in sorted(fanout.iterdir()) if re.fullmatch(r"[0-9a-f]{38}", p.name))
    if directory(objects / "pack"):
        yield from (("pack", p) for p in sorted((objects / "pack").iterdir())
                    if re.fullmatch(r"pack-[0-9a-f]{40}\.pack", p.name))


def _copy_plain_file(path: Path, target: Path) -> bool:
    """Copy path if it is a plain file, opened without following a link (never a FIFO or a device)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return False
        with target.open("wb") as out:
            shutil.copyfileobj(f, out)
    return True


def _check(source: Source, repo: Path, copy: Path, command: list[str]) -> None:
    result = subprocess.run(["git", "--git-dir", str(copy), *command], env=GIT_ENV, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr + result.stdout).strip().splitlines()
        detail = "\n    ".join(([x for x in lines if not x.startswith("notice:")] or lines)[:5]) or "failed"
        raise Tampered(f"{source.name}: the cached repository {repo} fails `git {' '.join(command)}`; "
                       f"refusing to use it:\n    {detail}\n  delete it to fetch commit {source.commit} again")


def fetch_commit(source: Source, location: str, work: Path) -> str:
    """Fetch the pinned commit from location (a repository path or URL) into the empty directory work."""
    if "://" not in location and not Path(location).exists():
        raise NotFound(f"{location}: not there")  # a mirror directory without this repository
    _git("init", "-q", "--bare", str(work))
    result = subprocess.run(["git", "-C", str(work), "fetch", "-q", "--depth", "1", location, _commit(source)],
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
    with checked_copy(source, repo) as copy:
        archive = subprocess.run(["git", "--git-dir", str(copy), "archive", "--format=tar", _commit(source)],
                                 env=GIT_ENV, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)


def read(source: Source, repo: Path, inner: str) -> bytes | None:
    with checked_copy(source, repo) as copy:
        result = subprocess.run(["git", "--git-dir", str(copy), "cat-file", "blob", f"{source.commit}:{inner}"],
                                env=GIT_ENV, capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def to_mirror(source: Source, repo: Path, dest: Path) -> str:
    """Add the commit to the mirror's bare repository (made if new), under refs/tags/wasmimage/<commit>."""
    if not dest.exists():
        _git("init", "-q", "--bare", str(dest))
    with checked_copy(source, repo) as copy:
        _git("--git-dir", str(dest), "fetch", "-q", "--update-shallow", str(copy),
             f"{source.commit}:refs/tags/wasmimage/{source.commit}")
    return f"{dest} (commit {source.commit})"


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], env=GIT_ENV, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Unavailable(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def sbom(pin: Entry) -> SbomFacts:
    return SbomFacts(version=pin["commit"], vcs=pin[KEY])


def releases(source: Source) -> Releases:
    """The repository's tags are its releases (a mirror's copy is asked first)."""
    commit = _commit(source)
    return Releases(commit[:12], "git", {"location": source.location, "commit": commit,
                                         "mirror_name": mirror_name(source)})


KIND = Kind(KEY, upstream, parse=parse, cache_name=cache_name, mirror_name=mirror_name, describe=describe,
            directory=True, reuse=verified,
            from_mirror=lambda source, location, work, ctx: fetch_commit(source, location, work),
            check=check, unpack=unpack, read=read, to_mirror=to_mirror, origin=lambda pin: pin[KEY], sbom=sbom,
            releases=releases)
