"""What a source kind provides (Kind), the Source it works on, and what the fetch stage hands it
(FetchSettings, Context).

A Kind is a frozen record of functions: how a recipe's entry of this kind reads (`parse`),
where its bytes come from and how they are checked, cached, unpacked and mirrored, what is
recorded of it (`recorded_pin`, `origin`, `sbom`), what the build stage does to it once it is
unpacked (`prepare`) and where newer releases are listed (`releases`). Its defaults are those of
a single file named by its sha256 (url, pypi-sdist, crate, debian-source): cached as
`sha256/<hex>`, held by a mirror under its file name, checked by its digest, unpacked as an
archive, recorded as pinned, nothing more to say in the SBOM, nothing to prepare and no list of
releases. A kind overrides what differs (git: a bare repository checked by git; cargo-vendor: an
archive checked against a Cargo.lock) and always says where the bytes come from when no mirror
has them (`upstream`).
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wasmimage import files
from wasmimage.errors import InvalidInput, NotFound, Tampered

if TYPE_CHECKING:
    from wasmimage.settings import Settings

MIRRORS_ENV = "WASMIMAGE_MIRRORS"  # named in messages; wasmimage/settings.py reads it
PARTIAL = ".partial-"  # what a fetch in progress (or killed) is called; never a cache entry
Entry = Mapping[str, Any]  # one item of a recipe's `sources:` as the recipe schema checked it, or a recorded pin


@dataclass(frozen=True)
class Source:
    """One pinned source: what a recipe's entry says (its kind's `parse`), or a toolchain's file."""

    name: str
    kind: str  # the key of its Kind in sources/table.py: the recipe field that names its location
    # the URL, git URL, `name==version` (pypi-sdist, crate), Debian source package, or (cargo-vendor)
    # the source whose Cargo.lock it serves
    location: str
    sha256: str | None
    commit: str | None
    filename: str
    subdir: str | None
    vendors: Source | None = None  # cargo-vendor: that source (see sources/cargo.py)
    # The same bytes from a Debian source package ({package, suite, file}; debian_source.py):
    # a url source's alternative location, or a debian-source's only one.
    debian: dict[str, str] | None = None

    @property
    def pin(self) -> dict[str, Any]:
        """What identifies this source's bytes, as recorded in manifests and build keys."""
        pin: dict[str, Any] = {"name": self.name, self.kind: self.location}
        if self.sha256:
            pin["sha256"] = self.sha256
        elif self.commit:
            pin["commit"] = self.commit
        if self.debian:
            pin["debian-source"] = dict(self.debian)
        return pin


def from_entry(key: str, entry: Entry, filename: str, subdir: str | None = None) -> Source:
    """The Source a recipe's entry of kind `key` names: located by its field `key`, with the file name
    and subdir the entry gives, else `filename` and `subdir` (the kind's defaults)."""
    return Source(entry["name"], key, entry[key], entry.get("sha256"), entry.get("commit"),
                  entry.get("filename") or filename, entry.get("subdir") or subdir,
                  debian=entry.get("debian-source"))  # a url source's alternative location


def last_part(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


class ToolchainView(Protocol):
    """What a kind reads of the recipe's resolved toolchain (wasmimage/pipeline/toolchain.py's ResolvedToolchain)."""

    @property
    def vars(self) -> dict[str, str]: ...  # `cargo`, when it has one
    @property
    def env(self) -> dict[str, str]: ...
    @property
    def std_crates(self) -> str | None: ...  # the crates std's own Cargo.lock needs (sources/cargo.py)


@dataclass(frozen=True)
class SbomFacts:
    """What the image's SBOM says of a source besides its name, sha256 and role (wasmimage/pipeline/sbom.py)."""

    version: str | None = None
    purl: str | None = None  # a package URL
    vcs: str | None = None  # the repository it was checked out of
    distribution: str | None = None  # where the file is downloaded from
    properties: tuple[tuple[str, str], ...] = ()  # (name, value): `wasmimage:...` facts


@dataclass(frozen=True)
class Releases:
    """Where `python -m wasmimage outdated` asks for a source's newer releases, or why it cannot.

    The channel is named, not imported: the outdated package (wasmimage/pipeline/outdated/report.py)
    maps each name to its client and builds that client's query from `query`.
    """

    pinned: str  # the pin as the listing shows it
    channel: str | None = None  # "crates", "pypi", "git" or "debian"; None: no machine-readable list of releases
    query: Mapping[str, Any] = field(default_factory=dict)  # the channel's query, field by field
    via: str | None = None  # the kind whose channel a source is asked through, if not its own (a url's debian-source)
    no_channel: str = ""  # why there is no channel


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
    toolchain: Callable[[], ToolchainView] | None  # the recipe's, for the cargo that crate kinds run
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


def no_origin(pin: Entry) -> str | None:
    return None


def nothing_more(pin: Entry) -> SbomFacts:
    return SbomFacts()


def no_release_list(source: Source) -> Releases:
    return Releases(source.filename, no_channel="no machine-readable list of releases")


def nothing_to_prepare(source: Source, toolchain: ToolchainView, work_dir: Path) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    """One source kind: the recipe key and the functions the recipe loader, the fetch, build, mirror and
    image steps call."""

    key: str  # the recipe field that names this kind (`url:`, `git:`, ...)
    upstream: Callable[[Source, Context], list[Way]]  # where the bytes come from when no mirror has them
    # A recipe's entry (checked by the recipe schema, whose `oneOf` has one alternative per kind
    # with a parse) as a Source, given the entries before it; `where` names the entry in messages.
    # None: no recipe names this kind (pypi-wheel: toolchains only).
    parse: Callable[[Entry, Sequence[Source], str], Source] | None = None
    also: tuple[str, ...] = ()  # other kinds' fields an entry of this kind may hold (a url's `debian-source`)
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
    origin: Callable[[Entry], str | None] = no_origin  # a recorded pin's one URL or package URL (sources/pins.py)
    sbom: Callable[[Entry], SbomFacts] = nothing_more  # what the SBOM says of a recorded pin
    releases: Callable[[Source], Releases] = no_release_list  # where `outdated` asks for newer releases
    prepare: Callable[[Source, ToolchainView, Path], None] = nothing_to_prepare  # finish src/<name> for the build
    docs: str = ""  # where to read more, named when a source of this kind cannot be fetched
