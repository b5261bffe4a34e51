"""Debian's archive: newer versions of source packages (debian-source pins) and binary packages (toolchains).

The archives are those the fetch stage uses for `debian-source` pins ($WASMIMAGE_DEBIAN_ARCHIVES,
else the Debian archives apt is configured with, the security archive included), read as apt
reads them: `dists/SUITE/main/source/Sources.xz` and `dists/SUITE/main/binary-ARCH/Packages.xz`.

A pin is compared within its release's suites (`trixie`, `trixie-updates`, `trixie-security`);
a source package also with `testing` and `unstable`, where newer upstream versions arrive
first. A toolchain's packages are compared within the suites of the Debian release this
machine runs (or --debian-release), the ones `apt-get install` takes them from.

A `debian-source` pin is a file of the source package, usually its upstream tarball
(`python3.13_3.13.5.orig.tar.xz`): its version is the upstream one, and every Debian revision
of that upstream version carries the same tarball. The security suite is the one channel
here that says a release is a security release: a pin misses one when its release's
`-security` suite has a newer version (for a tarball pin: a newer upstream version, or a
revision of the pinned one, whose fix is a Debian patch the pinned tarball lacks).
"""

from __future__ import annotations

import functools
import gzip
import lzma
import re
from dataclasses import dataclass
from pathlib import Path

from wasmimage.errors import NotFound, PipelineError, Unavailable
from wasmimage.pipeline.outdated.base import Answer, Context, Result, read
from wasmimage.pipeline.outdated.versions import Version, compare_debian, debian, debian_upstream, newest, split_debian
from wasmimage.pipeline.toolchain import host_arch
from wasmimage.sources import debian_source

NAME = "Debian's archive"
DEVELOPMENT = ("testing", "unstable")
COMPRESSIONS = ((".xz", lzma.decompress), (".gz", gzip.decompress))
DEBIAN_ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


@dataclass(frozen=True)
class SourceQuery:
    """A file of a source package in a suite (a debian-source pin, or a url's debian-source)."""

    package: str
    suite: str
    file: str


@dataclass(frozen=True)
class PackageQuery:
    """A binary package at an exact version (a toolchain's debian provider)."""

    package: str
    version: str


def release_line(suite: str) -> tuple[str, str, str]:
    """A release's suites: the release, its stable updates, its security updates."""
    base = suite.removesuffix("-security").removesuffix("-updates")
    return base, f"{base}-updates", f"{base}-security"


def machine_release(os_release: Path = Path("/etc/os-release")) -> str | None:
    """The codename of the Debian release this machine runs (`bookworm`), None off Debian."""
    try:
        fields = dict(line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line)
    except OSError:
        return None
    if fields.get("ID", "").strip('"') != "debian":
        return None
    return fields.get("VERSION_CODENAME", "").strip('"') or None


def _suites(query: SourceQuery | PackageQuery, release: str | None) -> tuple[str, ...]:
    if isinstance(query, SourceQuery):
        return release_line(query.suite) + DEVELOPMENT
    return release_line(release) if release else ()


def _index_path(query: SourceQuery | PackageQuery, arch: str) -> str:
    return "main/source/Sources" if isinstance(query, SourceQuery) else f"main/binary-{arch}/Packages"


def _versions_in(index: bytes, packages: set[str]) -> dict[str, list[str]]:
    """Each package's Version in every paragraph of a Sources or Packages file whose Package it is."""
    text = b"\n" + index
    found: dict[str, list[str]] = {}
    for package in packages:
        needle, found[package] = f"\nPackage: {package}\n".encode(), []
        at = text.find(needle)
        while at >= 0:
            end = text.find(b"\n\n", at + 1)
            version = re.search(rb"\nVersion: (\S+)", text[at:end if end >= 0 else len(text)])
            if version:
                found[package].append(version.group(1).decode())
            at = text.find(needle, at + 1)
    return found


def _read_index(archives: list[str], suite: str, path: str, packages: set[str], context: Context,
                down: dict[str, str]) -> dict[str, list[str]] | None:
    """Each package's versions in one suite's index, from the first archive that has the suite; None if none has it.

    An archive that could not be read is in `down` (why), and not asked again in this run.
    """
    failures = []
    for archive in archives:
        if archive in down:
            failures.append(down[archive])
            continue
        for suffix, decompress in COMPRESSIONS:
            url = f"{archive.rstrip('/')}/dists/{suite}/{path}{suffix}"
            try:
                data = decompress(read(url, context.fetch))
            except NotFound:
                continue
            except Unavailable as exc:
                down[archive] = str(exc)
                failures.append(str(exc))
                break
            except (lzma.LZMAError, gzip.BadGzipFile, EOFError) as exc:
                failures.append(f"{url}: not a readable {suffix} file ({exc})")
                break
            return _versions_in(data, packages)
    if failures:
        raise Unavailable(f"{suite}: " + "; ".join(failures))
    return None


def ask(queries: list[SourceQuery | PackageQuery], context: Context) -> Result:
    if not context.fetch.debian_archives and not debian_source.available():
        raise Unavailable(f"apt-get is not installed, so apt names no archive; set {debian_source.ARCHIVES_ENV}")
    archives = debian_source.archive_uris(context.fetch.debian_archives, labels=("Debian", "Debian-Security"))
    arch = DEBIAN_ARCHES.get(host_arch(), host_arch())
    wanted: dict[tuple[str, str], set[str]] = {}  # (suite, index path) -> packages
    for query in queries:
        for suite in _suites(query, context.debian_release):
            wanted.setdefault((suite, _index_path(query, arch)), set()).add(query.package)
    indexes: dict[tuple[str, str], dict[str, list[str]] | None | PipelineError] = {}
    down: dict[str, str] = {}
    for (suite, path), packages in wanted.items():
        try:
            indexes[(suite, path)] = _read_index(archives, suite, path, packages, context, down)
        except Unavailable as exc:
            indexes[(suite, path)] = exc
    if indexes and all(isinstance(found, PipelineError) for found in indexes.values()):
        raise Unavailable("; ".join(dict.fromkeys(down.values())) or "; ".join(map(str, indexes.values())))
    return {query: _answer(query, context.debian_release, {suite: indexes[(suite, _index_path(query, arch))]
                                                           for suite in _suites(query, context.debian_release)})
            for query in queries}


def _answer(query: SourceQuery | PackageQuery, release: str | None,
            indexes: dict[str, dict[str, list[str]] | None | PipelineError]) -> Answer | PipelineError:
    if not indexes:
        return Unavailable("not asked: which Debian release holds the toolchain packages? This machine does not run "
                           "Debian (/etc/os-release); pass --debian-release CODENAME")
    failed = [found for found in indexes.values() if isinstance(found, PipelineError)]
    if failed:
        return failed[0]
    listed = [(version, suite) for suite, found in indexes.items() if isinstance(found, dict)
              for version in found.get(query.package, [])]
    if not listed:
        return NotFound(f"{query.package} is in none of the suites {', '.join(indexes)}")
    if isinstance(query, SourceQuery):
        return _source_answer(query, listed)
    assert release is not None  # a package's suites are the release's (_suites): none without one
    return _package_answer(query, listed, release_line(release))


def _newest_first(listed: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(listed, key=functools.cmp_to_key(_newer_first))


def _newer_first(a: tuple[str, str], b: tuple[str, str]) -> int:
    return compare_debian(b[0], a[0])


def _source_answer(query: SourceQuery, listed: list[tuple[str, str]]) -> Answer:
    line, ordered = release_line(query.suite), _newest_first(listed)
    upstream = debian_source.tarball_version(query.package, query.file)
    if upstream is None:  # not an upstream tarball: the channel cannot place the pin
        return Answer(None, tuple(debian(v, s) for v, s in ordered),
                      notes=(f"{query.file} is not an upstream tarball (PACKAGE_VERSION.orig.tar.*): compare by hand",))
    pinned = debian_upstream(upstream)
    by_upstream: dict[str, Version] = {}  # the newest Debian version of each upstream version
    for version, suite in ordered:
        by_upstream.setdefault(split_debian(version)[1], debian_upstream(version, suite))
    versions = tuple(by_upstream.values())
    in_release = [version for version, suite in ordered if suite in line]
    notes = []
    top = newest(versions)
    assert top is not None  # listed is not empty
    if top.where in DEVELOPMENT and in_release:
        notes.append(f"newest in {line[0]}'s suites: {in_release[0]}")
    if upstream not in {split_debian(version)[1] for version in in_release}:
        notes.append(f"{query.file} is in none of {line[0]}'s suites any more: the fetch stage's apt-get source "
                     f"cannot get it (the source cache and mirrors still can)")
    fixes = [version for version, suite in ordered if suite == line[2] and debian_upstream(version).key >= pinned.key]
    security = ""
    if fixes:
        security = f"{line[2]} has {fixes[0]}"
        if debian_upstream(fixes[0]).key == pinned.key:
            security += f", a revision of the pinned upstream version: its fix is a Debian patch, not in {query.file}"
    return Answer(pinned, versions, security=security, notes=tuple(notes))


def _package_answer(query: PackageQuery, listed: list[tuple[str, str]], suites: tuple[str, str, str]) -> Answer:
    pinned = debian(query.version)
    seen: dict[str, Version] = {}
    for version, suite in listed:  # a version in the release and its security suite is shown where it came first
        seen.setdefault(version, debian(version, suite))
    versions = tuple(seen.values())
    fixes = [v for v, s in _newest_first(listed) if s == suites[2] and compare_debian(v, query.version) > 0]
    notes = () if query.version in seen else (
        f"{query.version} is in none of {suites[0]}'s suites any more: apt-get can no longer install it",)
    return Answer(pinned, versions, security=f"{suites[2]} has {fixes[0]}" if fixes else "", notes=notes)
