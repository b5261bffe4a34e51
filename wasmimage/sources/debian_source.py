"""The debian-source kind: a source's tarball taken from a Debian source package.

A recipe names it as `debian-source: {package, suite, file}`: alone it is the only location
(this kind), beside a `url` it is that url source's first location after the mirrors (`way`).

Debian's source packages carry upstream's pristine tarballs (`python3.13_3.13.5.orig.tar.xz`
is python.org's `Python-3.13.5.tar.xz`, byte for byte), so a machine that reaches Debian's
archive through apt, as CI and offline build hosts do, can fetch a source that otherwise
needs the open internet. The bytes are checked against the recipe's sha256 like any other.

`apt-get source` needs `deb-src` entries, which the machine's apt configuration usually
lacks. Nothing of it is changed: apt gets its own sources list, state and cache in a
temporary directory for this one call (its `-o Dir::...` options), listing the archive URIs
the machine's own configuration names (`apt-get indextargets`: those whose Release file
says Origin and Label "Debian"), or those in $WASMIMAGE_DEBIAN_ARCHIVES (space-separated,
e.g. a local mirror; `file:` URIs are trusted without a signature, the sha256 pin being the
check). Signatures are checked with apt's usual keyrings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from wasmimage.errors import NotFound, Unavailable
from wasmimage.sources.base import Entry, Kind, Releases, SbomFacts, Source, Way

KEY = "debian-source"
ARCHIVES_ENV = "WASMIMAGE_DEBIAN_ARCHIVES"


def available() -> bool:
    """Whether this machine can ask Debian's archive at all (apt-get is installed)."""
    return shutil.which("apt-get") is not None


def describe(debian: Mapping[str, str]) -> str:
    return f"Debian source package {debian['package']} ({debian['suite']}): {debian['file']}"


def purl(debian: Mapping[str, str]) -> str:
    """The package URL that names where the bytes come from, for manifests, SBOMs and provenance."""
    return f"pkg:deb/debian/{debian['package']}?distro={debian['suite']}"


def sbom_property(debian: Mapping[str, str]) -> tuple[str, str]:
    """How the SBOM names the package a source's bytes are also (or only) in."""
    return "wasmimage:debian-source", f"{debian['package']} ({debian['suite']}): {debian['file']}"


def tarball_version(package: str, file: str) -> str | None:
    """The upstream version a source package's tarball is named by (`python3.13_3.13.5.orig.tar.xz`: 3.13.5)."""
    match = re.fullmatch(re.escape(package) + r"_([^_]+?)\.orig(?:-[A-Za-z0-9-]+)?\.tar\.\w+", file)
    return match.group(1) if match else None


def releases(source: Source) -> Releases:
    """Debian's archive lists the source package's versions (a debian-source, or a url's alternative location)."""
    debian = source.debian
    assert debian is not None  # parse sets it; a url source asks only when it has one
    package, suite, file = debian["package"], debian["suite"], debian["file"]
    return Releases(f"{package} {tarball_version(package, file) or file} ({suite})", "debian",
                    {"package": package, "suite": suite, "file": file})


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    """`debian-source: {package, suite, file}` alone: the package's file is the only location."""
    debian = entry[KEY]
    return Source(entry["name"], KEY, debian["package"], entry["sha256"], None, entry.get("filename") or debian["file"],
                  entry.get("subdir"), debian=debian)


def archive_uris(configured: tuple[str, ...], labels: tuple[str, ...] = ("Debian",)) -> list[str]:
    """The Debian archives to ask: those configured ($WASMIMAGE_DEBIAN_ARCHIVES), else apt's own
    whose Release file says Origin "Debian" and one of `labels` (the security archive's is "Debian-Security")."""
    if configured:
        return list(configured)
    result = subprocess.run(["apt-get", "indextargets", "--format", "$(REPO_URI)\t$(ORIGIN)\t$(LABEL)"],
                            capture_output=True, text=True, check=False)
    uris: list[str] = []
    for line in result.stdout.splitlines():
        uri, origin, label = (line.split("\t") + ["", ""])[:3]
        if origin == "Debian" and label in labels and uri not in uris:
            uris.append(uri)
    if not uris:
        raise Unavailable("no Debian archive in this machine's apt configuration (apt-get indextargets names "
                          f"none with Origin 'Debian' and Label {' or '.join(map(repr, labels))}; "
                          f"has `apt-get update` run?); set {ARCHIVES_ENV} to an archive URI")
    return uris


def download(debian: Mapping[str, str], tmp: Path, archives: tuple[str, ...]) -> str:
    """Fetch the source package's file `debian['file']` into tmp; returns where it came from.

    The caller checks the sha256 and keeps or discards tmp.
    """
    what = describe(debian)
    uris = archive_uris(archives)
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".apt-") as work:
        root = Path(work)
        for sub in ("state/lists/partial", "cache/archives/partial", "download"):
            (root / sub).mkdir(parents=True)
        (root / "sources.list").write_text("".join(
            f"deb-src {'[trusted=yes] ' if uri.startswith('file:') else ''}{uri.rstrip('/')}/ {debian['suite']} main\n"
            for uri in uris))
        options = ["-q", "-o", f"Dir::Etc::SourceList={root / 'sources.list'}", "-o", "Dir::Etc::SourceParts=/dev/null",
                   "-o", f"Dir::State={root / 'state'}", "-o", f"Dir::Cache={root / 'cache'}",
                   "-o", "APT::Sandbox::User=root"]  # a private directory the _apt user cannot enter
        _apt(what, "apt-get update", ["apt-get", *options, "update"], root)
        _apt(what, "apt-get source", ["apt-get", *options, "source", "--download-only", debian["package"]],
             root / "download")
        fetched = root / "download" / debian["file"]
        if not fetched.is_file():
            got = sorted(p.name for p in (root / "download").iterdir())
            raise NotFound(f"{what}: the package in {debian['suite']} no longer has this file "
                           f"(it has: {', '.join(got) or 'nothing'}); Debian has moved on, update the recipe's pin")
        shutil.copyfile(fetched, tmp)  # apt links a file: archive's files instead of copying them
    return f"{what} from {' '.join(uris)}"


def _apt(what: str, label: str, command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                            env={**os.environ, "LC_ALL": "C"})
    # `apt-get update` exits 0 even when a list could not be fetched; it says so with "E:"/"W:" lines
    failed = result.returncode != 0 or any(line.startswith("E:") for line in result.stderr.splitlines())
    if failed:
        detail = [line for line in (result.stderr + result.stdout).splitlines() if line.startswith(("E:", "W:"))]
        raise Unavailable(f"{what}: `{label}` failed:\n  "
                            + "\n  ".join(detail[-4:] or [f"exit code {result.returncode}"]))


def way(source: Source, archives: tuple[str, ...]) -> Way:
    """Where a source with a `debian-source` gets its bytes from Debian's archive, if apt-get is here."""
    debian = source.debian
    assert debian is not None  # the kinds ask only for a source that has one
    if not available():
        return Way(None, f"{describe(debian)}: not tried, apt-get is not installed")
    return Way(lambda tmp: download(debian, tmp, archives))


KIND = Kind(KEY, lambda source, ctx: [way(source, ctx.settings.debian_archives)], parse=parse,
            origin=lambda pin: purl(pin[KEY]), sbom=lambda pin: SbomFacts(properties=(sbom_property(pin[KEY]),)),
            releases=releases)
