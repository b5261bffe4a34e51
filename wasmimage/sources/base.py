"""What a source kind provides (Kind), and what the fetch stage hands it (FetchSettings, Context).

A Kind is a frozen record of functions. Its defaults are those of a single file named by its
sha256 (url, pypi-sdist, crate, debian-source): cached as `sha256/<hex>`, held by a mirror
under its file name, checked by its digest, unpacked as an archive. A kind overrides what
differs (git: a bare repository checked by git; cargo-vendor: an archive checked against a
Cargo.lock) and always says where the bytes come from when no mirror has them (`upstream`).
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wasmimage import files
from wasmimage.errors import InvalidInput, NotFound, Tampered

if TYPE_CHECKING:
    from wasmimage.recipe import Source
    from wasmimage.settings import Settings
    from wasmimage.toolchain import ResolvedToolchain

MIRRORS_ENV = "WASMIMAGE_MIRRORS"  # named in messages; wasmimage/settings.py reads it
PARTIAL = ".partial-"  # what a fetch in progress (or killed) is called; never a cache entry


@dataclass(frozen=True)
class FetchSettings:
    cache_dir: Path
    mirrors: tuple[str, ...] = ()
    attempts: int = 4  # per location, for errors that retrying can fix
    backoff: float = 0.5  # seconds before the 2nd attempt, doubling after
    timeout: float = 30.0  # seconds to connect, and between two received chunks
    vendor_cargo: str | None = None  # the cargo that downloads and vendors crates, if not the toolchain's
    debian_archives: tuple[str, ...] = ()  # archives for debian-source pins, if not apt's own

    @classmethod
    def from_settings(cls, settings: Settings, default_cache: Path) -> FetchSettings:
        return cls(settings.source_cache or default_cache, settings.mirrors, vendor_cargo=settings.vendor_cargo,
                   debian_archives=settings.debian_archives)


@dataclass(frozen=True)
class Context:
    """What a kind may ask of the fetch stage, handed down because the fetch stage imports the kinds."""

    settings: FetchSettings
    toolchain: Callable[[], ResolvedToolchain] | None  # the recipe's, for the cargo that crate kinds run
    download: Callable[[str, Path], str]  # an http(s) URL into a file (retried, resumed); returns the URL
    cached: Callable[[Source], Path | None]  # another source's verified cache entry, if it is fetched
    read: Callable[[Source, str], bytes | None]  # one file of a fetched source (after its subdir), if there
    unpack: Callable[[Source, Path], None]  # a fetched source laid out at a directory


@dataclass(frozen=True)
class Way:
    """One place the bytes can come from, after the mirrors; `get` None means not here, `skipped` says why."""

    get: Callable[[Path], str] | None  # fills the temporary path, returns where the bytes came from
    skipped: str = ""


def by_digest(source: Source) -> str:
    if not source.sha256:
        raise InvalidInput(f"{source.name}: a {source.kind} source needs a sha256 pin")
    return f"sha256/{source.sha256}"


def by_filename(source: Source) -> str:
    return source.filename


def digest_matches(source: Source, cached: Path) -> bool:
    return files.sha256_file(cached) == source.sha256


def copy_file(source: Source, location: str, tmp: Path, ctx: Context) -> str:
    """A mirror's file (a local path, file:// or http(s) URL) into tmp; NotFound when it lacks it."""
    if location.startswith(("http://", "https://")):
        return ctx.download(location, tmp)
    path = Path(location.removeprefix("file://"))
    try:
        shutil.copyfile(path, tmp)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise NotFound(f"{path}: not there") from None
    return str(path)


def check_sha256(source: Source, tmp: Path, origin: str, ctx: Context) -> None:
    actual = files.sha256_file(tmp)
    if actual != source.sha256:
        raise Tampered(f"{source.name}: sha256 mismatch for {origin}\n"
                       f"  expected {source.sha256}\n  actual   {actual}\n  nothing was kept")


def archive_format(filename: str) -> str:
    for suffix, fmt in ((".tar.gz", "gztar"), (".tgz", "gztar"), (".crate", "gztar"), (".tar.xz", "xztar"),
                        (".tar.bz2", "bztar"), (".tar", "tar"), (".zip", "zip"), (".whl", "zip")):
        if filename.endswith(suffix):
            return fmt
    raise InvalidInput(f"{filename}: unknown archive type (known: .tar.gz .tgz .crate .tar.xz .tar.bz2 .tar .zip .whl)")


def unpack_archive(source: Source, cached: Path, root: Path) -> None:
    fmt = archive_format(source.filename)
    # Python 3.11's zip unpacker takes no filter (it refuses absolute and .. names itself).
    if fmt == "zip":
        shutil.unpack_archive(cached, root, format=fmt)
    else:
        shutil.unpack_archive(cached, root, format=fmt, filter="data")


def read_archive_member(source: Source, cached: Path, inner: str) -> bytes | None:
    if archive_format(source.filename) == "zip":
        with zipfile.ZipFile(cached) as archive:
            return archive.read(inner) if inner in archive.namelist() else None
    with tarfile.open(cached) as archive:
        for member in archive:
            if member.isfile() and member.name.removeprefix("./") == inner:
                extracted = archive.extractfile(member)
                assert extracted is not None  # a regular file
                return extracted.read()
    return None


def copy_to_mirror(source: Source, cached: Path, dest: Path) -> str:
    files.copy(cached, dest)
    return str(dest)


def recorded_as_pinned(source: Source, cached: Path) -> dict:
    return source.pin


@dataclass(frozen=True)
class Kind:
    """One source kind: the recipe key and the functions the fetch, build and mirror steps call."""

    key: str  # the recipe field that names this kind (`url:`, `git:`, ...)
    upstream: Callable[[Source, Context], list[Way]]  # where the bytes come from when no mirror has them
    cache_name: Callable[[Source], str] = by_digest  # the entry's path under the cache directory
    mirror_name: Callable[[Source], str] = by_filename  # what a mirror holds it as
    describe: Callable[[Source], str] = by_filename  # what its bytes are called in messages
    directory: bool = False  # the cache entry is a directory (fetched into a temporary directory)
    reuse: Callable[[Source, Path], bool] = digest_matches  # False: discard the entry; raise Tampered: refuse it
    from_mirror: Callable[[Source, str, Path, Context], str] = copy_file  # NotFound when the mirror lacks it
    check: Callable[[Source, Path, str, Context], None] = check_sha256  # raise unless the new bytes are the pinned ones
    unpack: Callable[[Source, Path, Path], None] = unpack_archive  # the whole entry into an empty directory
    read: Callable[[Source, Path, str], bytes | None] = read_archive_member  # one file by its path in the entry
    to_mirror: Callable[[Source, Path, Path], str] = copy_to_mirror  # write into a mirror; the line to print
    recorded_pin: Callable[[Source, Path], dict] = recorded_as_pinned  # what build-info and the manifest record
    docs: str = ""  # where to read more, named when a source of this kind cannot be fetched
