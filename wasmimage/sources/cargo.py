"""Cargo's side of Rust sources: Cargo.lock files, vendor archives, and finishing a vendored tree.

The crate and cargo-vendor source kinds (wasmimage/sources/) fetch through this module; the
build stage calls `prepare`; the SBOM reads locks with `parse_lock`. It knows nothing of
the fetch stage's cache or mirrors.

A *vendor archive* is `cargo vendor --versioned-dirs` output as a tar.gz whose top directory
is `vendor/`, written deterministically (sorted names, mtime 0, uid/gid 0, modes 0644/0755,
gzip mtime 0). `python -m wasmimage vendor-crates` and `python -m wasmimage mirror` make one.
It is checked against the Cargo.lock it serves: every registry package of the lock must be
there with the lock's checksum in its .cargo-checksum.json, every git package by name and
version, and every file must match the digest that file lists. A recipe's `sha256:` for it is
over the *uncompressed* tar, so any gzip yields the same value.

At build time the archive is unpacked to src/<name>/vendor; the toolchain's own std crates
(`std_crates`, for toolchains that build std with -Zbuild-std) are added beside them, and
src/<name>/config.toml points cargo's registry and every git source of the lock at that
directory: `{{ cargo }} build {{ cargo_flags }} --config {{ src.<name> }}/config.toml ...`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wasmimage import log
from wasmimage.digests import sha256_chunks, sha256_hex
from wasmimage.errors import InvalidInput, NotFound, PipelineError, Tampered, Unavailable

if TYPE_CHECKING:
    from wasmimage.sources.base import Source, ToolchainView

TOP = "vendor"  # the one top-level directory of a vendor archive
CONFIG = "config.toml"  # written beside vendor/ at build time
SOURCE_NAME = "wasmimage-vendor"  # the directory source name in that config
CHECKSUM_FILE = ".cargo-checksum.json"
CHUNK = 1 << 16
VENDOR_CARGO_ENV = "WASMIMAGE_VENDOR_CARGO"  # named in messages; wasmimage/settings.py reads it


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    source: str | None  # None: a path package (a workspace member), never vendored
    checksum: str | None

    @property
    def is_registry(self) -> bool:
        return self.source is not None and self.source.startswith(("registry+", "sparse+"))

    @property
    def is_git(self) -> bool:
        return self.source is not None and self.source.startswith("git+")


def parse_lock(text: str, where: str = "Cargo.lock") -> list[LockedPackage]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{where}: not valid TOML: {exc}") from None
    return [LockedPackage(p["name"], p["version"], p.get("source"), p.get("checksum"))
            for p in data.get("package", [])]


def vendored_packages(packages: list[LockedPackage]) -> list[LockedPackage]:
    """The packages a vendor archive must hold: registry and git ones, not workspace members."""
    return [p for p in packages if p.is_registry or p.is_git]


# --- checking a vendor tree or archive against the lock ------------------------------------

@dataclass
class _Crate:
    directory: str
    name: str | None = None
    version: str | None = None
    package: str | None = None
    listed: dict[str, str] | None = None
    present: dict[str, str] = field(default_factory=dict)  # file -> sha256, as found


def _crate_of(crates: dict[str, _Crate], directory: str) -> _Crate:
    return crates.setdefault(directory, _Crate(directory))


def _read_meta(crate: _Crate, name: str, data: bytes, where: str) -> None:
    if name == "Cargo.toml":
        try:
            package = tomllib.loads(data.decode()).get("package", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise Tampered(f"{where}: {crate.directory}/Cargo.toml is not valid TOML: {exc}") from None
        crate.name = package.get("name") if isinstance(package.get("name"), str) else None
        crate.version = package.get("version") if isinstance(package.get("version"), str) else None
    elif name == CHECKSUM_FILE:
        try:
            meta = json.loads(data)
        except ValueError as exc:
            raise Tampered(f"{where}: {crate.directory}/{CHECKSUM_FILE} is not JSON: {exc}") from None
        crate.package, crate.listed = meta.get("package"), dict(meta.get("files", {}))


def _check(crates: dict[str, _Crate], packages: list[LockedPackage], where: str, *, complete_files: bool) -> None:
    """Raise unless every vendored package of the lock is there, intact."""
    problems = []
    index: dict[tuple[str, str], _Crate] = {}
    for crate in crates.values():
        if crate.listed is None:
            problems.append(f"{crate.directory}: no {CHECKSUM_FILE}")
            continue
        if crate.version is None and crate.name and crate.directory.startswith(crate.name + "-"):
            crate.version = crate.directory[len(crate.name) + 1:]  # a git crate with `version.workspace`
        if crate.name is None or crate.version is None:
            problems.append(f"{crate.directory}: Cargo.toml names no package name and version")
            continue
        for name, digest in sorted(crate.listed.items()):
            actual = crate.present.get(name)
            if actual != digest:
                problems.append(f"{crate.directory}/{name}: " + ("missing" if actual is None else
                                                                  f"sha256 {actual}, listed {digest}"))
        if complete_files:
            extra = sorted(set(crate.present) - set(crate.listed) - {CHECKSUM_FILE})
            problems += [f"{crate.directory}/{name}: not listed in {CHECKSUM_FILE}" for name in extra]
        index[(crate.name, crate.version)] = crate
    for package in vendored_packages(packages):
        vendored = index.get((package.name, package.version))
        if vendored is None:
            problems.append(f"{package.name} {package.version}: missing")
        elif package.is_registry and vendored.package != package.checksum:
            problems.append(f"{package.name} {package.version}: package checksum {vendored.package}, "
                            f"the Cargo.lock pins {package.checksum}")
    if problems:
        more = f"\n    ... and {len(problems) - 12} more" if len(problems) > 12 else ""
        shown = "\n    ".join(problems[:12]) + more
        raise Tampered(f"{where}: does not match the Cargo.lock it serves:\n    {shown}")


def check_tree(vendor: Path, packages: list[LockedPackage]) -> None:
    """Check an unpacked vendor directory (crate directories inside `vendor`)."""
    crates: dict[str, _Crate] = {}
    for path in sorted(vendor.rglob("*")):
        rel = path.relative_to(vendor).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise Tampered(f"{path}: only regular files and directories may be vendored")
        directory, _, name = rel.partition("/")
        if not name or path.is_dir():
            continue
        crate = _crate_of(crates, directory)
        data = path.read_bytes()
        crate.present[name] = sha256_hex(data)
        if name in ("Cargo.toml", CHECKSUM_FILE):
            _read_meta(crate, name, data, str(vendor))
    _check(crates, packages, str(vendor), complete_files=True)


class _HashingReader(io.RawIOBase):
    """Reads a stream through, hashing every byte (the uncompressed tar's digest)."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.hash = stream, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        self.hash.update(data)
        buffer[:len(data)] = data
        return len(data)

    def drain(self) -> str:
        """Hash what the tar reader left unread (end-of-archive padding) and return the digest."""
        while data := self.stream.read(CHUNK):
            self.hash.update(data)
        return self.hash.hexdigest()


def tar_digest(archive: Path) -> str:
    """sha256 of the uncompressed tar inside a vendor archive (what `sha256:` pins)."""
    with gzip.open(archive, "rb") as stream:
        return sha256_chunks(iter(lambda: stream.read(CHUNK), b""))


def check_archive(archive: Path, packages: list[LockedPackage], sha256: str | None = None,
                  where: str | None = None) -> str:
    """Check a vendor archive without unpacking it; returns its uncompressed tar's sha256.

    `where` names the archive in errors (where it came from), by default its file name.
    """
    where = where or archive.name
    crates: dict[str, _Crate] = {}
    try:
        with gzip.open(archive, "rb") as raw:
            reader = _HashingReader(raw)
            with tarfile.open(fileobj=io.BufferedReader(reader, CHUNK), mode="r|") as tar:
                for member in tar:
                    parts = member.name.removeprefix("./").split("/")
                    if parts[0] != TOP or ".." in parts or member.name.startswith("/"):
                        raise Tampered(f"{where}: {member.name!r} is outside {TOP}/")
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise Tampered(f"{where}: {member.name}: only regular files and directories "
                                            f"may be vendored")
                    if len(parts) < 3:
                        raise Tampered(f"{where}: {member.name}: a file outside any crate directory")
                    crate, name = _crate_of(crates, parts[1]), "/".join(parts[2:])
                    extracted = tar.extractfile(member)
                    assert extracted is not None  # a regular file (checked above)
                    data = extracted.read()
                    crate.present[name] = sha256_hex(data)
                    if name in ("Cargo.toml", CHECKSUM_FILE):
                        _read_meta(crate, name, data, where)
            digest = reader.drain()
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as exc:
        raise Tampered(f"{where}: not a readable tar.gz: {exc}") from None
    if sha256 and digest != sha256:
        raise Tampered(f"{where}: sha256 of the uncompressed tar is {digest}, the recipe pins {sha256}")
    _check(crates, packages, where, complete_files=True)
    return digest


# --- making a vendor archive -----------------------------------------------------------------

def _entries(root: Path) -> Iterator[tuple[str, Path]]:
    yield TOP, root
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        yield f"{TOP}/{path.relative_to(root).as_posix()}", path


def pack(vendor: Path, out: Path) -> str:
    """Write `vendor` (a cargo vendor directory) as a deterministic tar.gz; returns the tar's sha256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for name, path in _entries(vendor):
                if path.is_symlink() or not (path.is_file() or path.is_dir()):
                    raise InvalidInput(f"{path}: only regular files and directories may be vendored")
                info = tarfile.TarInfo(name)
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                if path.is_dir():
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
                else:
                    info.size = path.stat().st_size
                    info.mode = 0o755 if path.stat().st_mode & 0o100 else 0o644
                    with path.open("rb") as f:
                        tar.addfile(info, f)
    return tar_digest(out)


def download_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment `cargo fetch` and `cargo vendor` run with: what they need of this machine's (its
    homes, its cargo and rustup configuration with the registries' own tokens, the rustc it names,
    proxies and certificates) and `extra`; nothing else, so no WASMIMAGE_* secret (the cache key, the
    registry credentials) ever reaches cargo or what it starts. They run no build script: no sandbox."""
    kept = {name: value for name, value in os.environ.items()
            if name in ("PATH", "HOME", "RUSTC", "SSL_CERT_FILE", "SSL_CERT_DIR")
            or name.startswith(("CARGO_", "RUSTUP_"))
            or name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    return {**kept, **extra}


def cargo_vendor(manifest_dir: Path, vendor: Path, cargo: str = "cargo", env: dict[str, str] | None = None) -> None:
    """Run `cargo vendor` for the Cargo.lock in manifest_dir (network, or the machine's source config)."""
    command = [cargo, "vendor", "--locked", "--versioned-dirs", "--respect-source-config",
               "--manifest-path", str(manifest_dir / "Cargo.toml"), str(vendor)]
    log.get("cargo").info("$ %s", " ".join(command))
    try:
        result = subprocess.run(command, cwd=manifest_dir, env=download_env(env or {}),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise Unavailable(f"cannot run {cargo}: {exc.strerror}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        hint = ""
        if "git_proxy_options" in result.stderr:  # cargo built against another libgit2 than it runs with
            hint = (f"\n      this cargo cannot fetch git dependencies (Debian's cargo-web with bookworm's "
                    f"libgit2 1.5 cannot); set {VENDOR_CARGO_ENV} to another cargo, e.g. rustup's")
        raise Unavailable(f"`cargo vendor` failed (exit {result.returncode}):\n      "
                            + "\n      ".join(lines[-6:] or ["no output"]) + hint)


def make_archive(manifest_dir: Path, out: Path, cargo: str = "cargo", env: dict[str, str] | None = None) -> str:
    """cargo vendor + check against the Cargo.lock + pack: the whole recipe for a vendor archive."""
    packages = parse_lock((manifest_dir / "Cargo.lock").read_text(), str(manifest_dir / "Cargo.lock"))
    with tempfile.TemporaryDirectory(prefix=".vendor-", dir=out.parent) as work:
        vendor = Path(work) / TOP
        cargo_vendor(manifest_dir, vendor, cargo, env)
        vendor.mkdir(exist_ok=True)  # a lock without registry or git packages vendors nothing
        check_tree(vendor, packages)
        return pack(vendor, out)


# --- which cargo ------------------------------------------------------------------------------

def command_for(toolchain: Callable[[], ToolchainView] | None,
                vendor_cargo: str | None) -> tuple[str, dict[str, str]]:
    """The cargo that downloads and vendors, with its environment: `vendor_cargo`
    ($WASMIMAGE_VENDOR_CARGO), else the recipe's toolchain's cargo if it resolves here, else `cargo` on PATH."""
    if vendor_cargo:
        return vendor_cargo, {}
    if toolchain is not None:
        try:
            resolved = toolchain()
            if "cargo" in resolved.vars:
                return resolved.vars["cargo"], dict(resolved.env)
        except PipelineError:
            pass
    return shutil.which("cargo") or "cargo", {}


# --- the build stage ------------------------------------------------------------------------

def _crate_id(directory: Path) -> tuple[str, str] | None:
    try:
        package = tomllib.loads((directory / "Cargo.toml").read_text()).get("package", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    name, version = package.get("name"), package.get("version")
    if isinstance(name, str) and not isinstance(version, str) and directory.name.startswith(name + "-"):
        version = directory.name[len(name) + 1:]
    return (name, version) if isinstance(name, str) and isinstance(version, str) else None


def _package_checksum(directory: Path) -> str | None:
    try:
        return json.loads((directory / CHECKSUM_FILE).read_text()).get("package")
    except (OSError, ValueError):
        return None


def _add_std_crates(vendor: Path, std_crates: Path) -> None:
    """Link the toolchain's std crates into vendor/, beside the recipe's own (same crate: one copy)."""
    if not std_crates.is_dir():
        raise NotFound(f"{std_crates}: the toolchain's std crates are not there")
    have = {}
    for crate in vendor.iterdir():
        ident = _crate_id(crate)
        if ident:
            have[ident] = crate
    for crate in sorted(std_crates.iterdir()):
        ident = _crate_id(crate)
        if ident is None:
            continue
        if ident in have:
            if _package_checksum(have[ident]) != _package_checksum(crate):
                raise Tampered(f"{ident[0]} {ident[1]} is both in {have[ident]} and in the toolchain's "
                               f"{crate} with different package checksums")
            continue
        link = vendor / f"{ident[0]}-{ident[1]}"
        if link.exists():
            raise InvalidInput(f"{link}: already taken; cannot add the toolchain's {crate}")
        link.symlink_to(crate, target_is_directory=True)


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


def source_config(packages: list[LockedPackage], vendor: Path) -> str:
    """Cargo configuration replacing the registry and every git source of the lock by `vendor`."""
    registries = sorted({p.source for p in packages if p.source and p.is_registry})
    if len(registries) > 1:
        raise InvalidInput(f"the Cargo.lock uses {len(registries)} registries ({', '.join(registries)}); "
                            f"only the default one can be vendored")
    lines = ["# Written by wasmimage (cargo.py): every crate comes from the vendor directory.",
             "[source.crates-io]", f"replace-with = {toml_string(SOURCE_NAME)}", "",
             f"[source.{SOURCE_NAME}]", f"directory = {toml_string(str(vendor))}", ""]
    for source in sorted({p.source.split("#", 1)[0] for p in packages if p.source and p.is_git}):
        url = urllib.parse.urlsplit(source.removeprefix("git+"))
        lines += [f"[source.{toml_string(source)}]",
                  f"git = {toml_string(urllib.parse.urlunsplit(url._replace(query='')))}"]
        for key, values in sorted(urllib.parse.parse_qs(url.query).items()):
            if key in ("branch", "tag", "rev"):
                lines.append(f"{key} = {toml_string(values[0])}")
        lines += [f"replace-with = {toml_string(SOURCE_NAME)}", ""]
    return "\n".join(lines)


def prepare(source: Source, toolchain: ToolchainView, work_dir: Path) -> None:
    """Finish src/<name> after unpacking: add the std crates and write config.toml."""
    root = work_dir / "src" / source.name
    vendor = root / TOP
    if not vendor.is_dir():
        raise InvalidInput(f"{source.name}: {source.filename} has no {TOP}/ directory")
    lock = work_dir / "src" / source.location / "Cargo.lock"  # the owner's subdir is already its root
    packages = parse_lock(lock.read_text(), str(lock))
    if toolchain.std_crates:
        _add_std_crates(vendor, Path(toolchain.std_crates))
    (root / CONFIG).write_text(source_config(packages, vendor))

