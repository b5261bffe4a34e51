"""The pypi-sdist kind: a package's source distribution, `NAME==VERSION` pinned by its sha256.

Upstream is `pip download`, so the machine's own index configuration (a proxy, a local
index) applies; a mirror holds the file under the name the recipe loader derives.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from wasmimage.errors import Tampered, Unavailable
from wasmimage.sources.base import MIRRORS_ENV, Entry, Kind, Releases, SbomFacts, Source, Way, from_entry

KEY = "pypi-sdist"


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    """`pypi-sdist: NAME==VERSION`: the file is named as PyPI names sdists (name normalized, .tar.gz)."""
    name, version = entry[KEY].split("==")
    return from_entry(KEY, entry, f"{name.replace('-', '_').replace('.', '_').lower()}-{version}.tar.gz")


def purl(pin: Entry) -> str:
    package, _, version = pin[KEY].partition("==")
    return f"pkg:pypi/{package}@{version}"


def sbom(pin: Entry) -> SbomFacts:
    return SbomFacts(version=pin[KEY].partition("==")[2], purl=purl(pin))


def releases(source: Source) -> Releases:
    """The package index lists the project's versions."""
    name, _, version = source.location.partition("==")
    return Releases(source.location, "pypi", {"name": name, "version": version})


def pip_download(source: Source, tmp: Path, options: tuple[str, ...] = ("--no-binary", ":all:")) -> str:
    """`pip download` the sdist (or, with other `options`, a wheel) into tmp; returns where it came from.

    pip checks the pinned sha256 (--require-hashes) before it reads the archive, so an sdist
    that is not the pinned one never gets its build backend run for its metadata; the caller
    checks the sha256 again, as for every source."""
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".pip-") as scratch:
        work = Path(scratch) / "download"
        requirement = Path(scratch) / "requirement.txt"
        requirement.write_text(f"{source.location} --hash=sha256:{source.sha256}\n", encoding="utf-8")
        command = [sys.executable, "-m", "pip", "download", *options, "--no-deps", "--require-hashes",
                   "--disable-pip-version-check", "-q", "-d", str(work), "-r", str(requirement)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        got = list(work.iterdir()) if work.is_dir() else []
        mismatch = re.search(r"Expected sha256 ([0-9a-f]{64})\s+Got\s+([0-9a-f]{64})", result.stderr)
        if result.returncode != 0 and mismatch:  # the index's file is not the pinned one: as check_sha256 says it
            raise Tampered(f"{source.name}: sha256 mismatch for pip download {source.location}\n"
                           f"  expected {mismatch.group(1)}\n  actual   {mismatch.group(2)}\n  nothing was kept")
        if result.returncode != 0 or len(got) != 1:
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise Unavailable(f"{source.name}: pip download {source.location} failed:\n  " + "\n  ".join(detail)
                              + f"\n  put {source.filename} in a mirror ({MIRRORS_ENV}) to build offline")
        shutil.move(got[0], tmp)
    return f"pip download {source.location}"


KIND = Kind(KEY, lambda source, ctx: [Way(lambda tmp: pip_download(source, tmp))], parse=parse, origin=purl,
            sbom=sbom, releases=releases)
