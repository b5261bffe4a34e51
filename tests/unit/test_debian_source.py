"""Sources taken from a Debian source package (`debian-source`), from a real local apt archive.

The archive is a directory laid out like Debian's (dists/SUITE/Release, main/source/Sources,
pool/), reached by apt itself through a `file:` URI in $WASMIMAGE_DEBIAN_ARCHIVES: the same
apt-get calls as against the real archive, with no network. The machine's own apt
configuration is never changed (a test checks that too).
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from helpers.flaky_server import Serve
from wasmimage.errors import PipelineError
from wasmimage.pipeline.fetch import FetchSettings, cached_path, fetch, unpack
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.recipe import Source
from wasmimage.sources import debian_source

REPO = Path(__file__).resolve().parents[2]
SUITE = "testsuite"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tarball(text: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("demo-1.0/hello.txt")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    return buffer.getvalue()


TARBALL = tarball(b"hello from the orig tarball\n")
OTHER = tarball(b"something else\n")


def make_archive(root: Path, package: str = "demo", orig: bytes = TARBALL,
                 orig_name: str = "demo_1.0.orig.tar.gz") -> Path:
    """A minimal Debian archive with one source package (a .dsc and an orig tarball)."""
    pool = root / "pool" / "main" / package[0] / package
    pool.mkdir(parents=True)
    (pool / orig_name).write_bytes(orig)
    (pool / f"{package}_1.0-1.dsc").write_text(f"Format: 3.0 (quilt)\nSource: {package}\n")
    listed = [pool / f"{package}_1.0-1.dsc", pool / orig_name]

    def lines(digest) -> str:
        return "".join(f" {digest(p.read_bytes()).hexdigest()} {p.stat().st_size} {p.name}\n" for p in listed)

    sources = (f"Package: {package}\nBinary: {package}\nVersion: 1.0-1\nMaintainer: T <t@example.org>\n"
               f"Architecture: all\nFormat: 3.0 (quilt)\nDirectory: pool/main/{package[0]}/{package}\n"
               f"Files:\n{lines(hashlib.md5)}Checksums-Sha256:\n{lines(hashlib.sha256)}\n").encode()
    index = root / "dists" / SUITE / "main" / "source" / "Sources"
    index.parent.mkdir(parents=True)
    index.write_bytes(sources)
    (root / "dists" / SUITE / "Release").write_text(
        f"Suite: {SUITE}\nCodename: {SUITE}\nComponents: main\nDate: Thu, 01 Jan 2026 00:00:00 UTC\n"
        f"SHA256:\n {sha(sources)} {len(sources)} main/source/Sources\n")
    return root


@pytest.fixture
def archive(tmp_path) -> Path:
    return make_archive(tmp_path / "archive")


def debian_only(data: bytes = TARBALL, file: str = "demo_1.0.orig.tar.gz", package: str = "demo") -> Source:
    debian = {"package": package, "suite": SUITE, "file": file}
    return Source("demo", "debian-source", package, sha(data), None, file, "demo-1.0", debian=debian)


def settings(tmp_path: Path, *mirrors: Path, archive: Path | None = None) -> FetchSettings:
    """Quick retries; `archive` the one Debian archive asked ($WASMIMAGE_DEBIAN_ARCHIVES), else apt's."""
    return FetchSettings(tmp_path / "cache", tuple(map(str, mirrors)), attempts=2, backoff=0.01, timeout=2.0,
                         debian_archives=(f"file:{archive}",) if archive else ())


def cache_files(s: FetchSettings) -> list[str]:
    return sorted(str(p.relative_to(s.cache_dir)) for p in s.cache_dir.rglob("*") if p.is_file()) \
        if s.cache_dir.exists() else []


def test_tarball_comes_from_the_archive_checked_and_unpacked(tmp_path, archive, capfd):
    source, s = debian_only(), settings(tmp_path, archive=archive)
    path = fetch(source, s)
    assert path == cached_path(source, s) and path.read_bytes() == TARBALL
    assert not path.is_symlink(), "apt links file: archives; the cache must hold the bytes"
    assert cache_files(s) == [f"sha256/{sha(TARBALL)}"]
    assert f"from Debian source package demo ({SUITE})" in capfd.readouterr().err
    (tmp_path / "tree").mkdir()
    unpack(source, path, tmp_path / "tree" / "demo")
    assert (tmp_path / "tree" / "demo" / "hello.txt").read_text() == "hello from the orig tarball\n"


def test_wrong_bytes_in_the_archive_are_refused_and_nothing_is_kept(tmp_path):
    s = settings(tmp_path, archive=make_archive(tmp_path / "archive", orig=OTHER))
    with pytest.raises(PipelineError) as err:
        fetch(debian_only(), s)
    message = str(err.value)
    assert "sha256 mismatch" in message and "Debian source package demo" in message
    assert f"expected {sha(TARBALL)}" in message and f"actual   {sha(OTHER)}" in message
    assert cache_files(s) == []


def test_a_package_that_moved_on_names_the_files_it_has(tmp_path, archive):
    with pytest.raises(PipelineError) as err:
        fetch(debian_only(file="demo_2.0.orig.tar.gz"), settings(tmp_path, archive=archive))
    message = str(err.value)
    assert "demo_2.0.orig.tar.gz" in message and "demo_1.0.orig.tar.gz" in message
    assert "update the recipe's pin" in message


def test_an_unknown_package_is_a_clear_error(tmp_path, archive):
    s = settings(tmp_path, archive=archive)
    with pytest.raises(PipelineError) as err:
        fetch(debian_only(package="nosuchpackage"), s)
    assert "nosuchpackage" in str(err.value) and "apt-get source" in str(err.value)
    assert "Traceback" not in str(err.value)
    assert cache_files(s) == []


def test_a_mirror_is_asked_before_the_archive(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo_1.0.orig.tar.gz").write_bytes(TARBALL)
    s = settings(tmp_path, mirror, archive=tmp_path / "no-archive-here")
    assert fetch(debian_only(), s).read_bytes() == TARBALL


def test_url_source_prefers_the_archive_and_falls_back_to_its_url(tmp_path, flaky_server):
    url = flaky_server.route("/demo-1.0.tar.gz", Serve(TARBALL))
    debian = {"package": "demo", "suite": SUITE, "file": "demo_1.0.orig.tar.gz"}
    source = Source("demo", "url", url, sha(TARBALL), None, "demo-1.0.tar.gz", None, debian=debian)
    root = make_archive(tmp_path / "archive")
    assert fetch(source, settings(tmp_path / "one", archive=root)).read_bytes() == TARBALL
    assert flaky_server.count("/demo-1.0.tar.gz") == 0, "the archive had it: the url was not asked"
    other = make_archive(tmp_path / "other-archive", package="unrelated")
    assert fetch(source, settings(tmp_path / "two", archive=other)).read_bytes() == TARBALL
    assert flaky_server.count("/demo-1.0.tar.gz") == 1


def test_when_every_location_fails_the_error_lists_them(tmp_path, flaky_server):
    url = flaky_server.url("/gone-1.0.tar.gz")
    debian = {"package": "demo", "suite": SUITE, "file": "demo_1.0.orig.tar.gz"}
    source = Source("demo", "url", url, sha(TARBALL), None, "gone-1.0.tar.gz", None, debian=debian)
    with pytest.raises(PipelineError) as err:
        fetch(source, settings(tmp_path, archive=make_archive(tmp_path / "archive", package="other")))
    message = str(err.value)
    assert url in message and "HTTP 404" in message
    assert "Debian source package demo" in message and "Unable to find a source package" in message


def test_archives_come_from_the_machines_apt_configuration_which_stays_untouched():
    before = {p: p.read_bytes() for p in Path("/etc/apt").rglob("*") if p.is_file()}
    uris = debian_source.archive_uris(())  # none configured
    assert uris and all(uri.startswith(("http://", "https://", "file:")) for uri in uris)
    assert {p: p.read_bytes() for p in Path("/etc/apt").rglob("*") if p.is_file()} == before


def test_cpython_recipe_pins_both_locations_of_one_tarball():
    recipe = Project(REPO).recipe("cpython")
    python, zlib = recipe.sources
    # The url's file and the Debian file are the same release, the recipe's version (a pin moves both).
    assert python.kind == "url" and python.filename == f"Python-{recipe.version}.tar.xz"
    assert python.pin["debian-source"] == {"package": "python3.13", "suite": python.debian["suite"],
                                           "file": f"python3.13_{recipe.version}.orig.tar.xz"}
    assert zlib.kind == "debian-source" and zlib.filename == "zlib_1.2.13.dfsg.orig.tar.bz2"
    assert zlib.pin == {"name": "zlib", "debian-source": zlib.debian, "sha256": zlib.sha256}
