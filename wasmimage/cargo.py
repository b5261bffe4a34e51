"""Cargo builds: published crates and the crates a Cargo.lock pins, as sources of a recipe.

A `crate` source is one published crate, `NAME==VERSION` plus the sha256 of its .crate file
(the checksum the registry index and every Cargo.lock record). It is fetched like a url
source (cache, then mirrors as NAME-VERSION.crate), and otherwise by cargo itself
(`download_crate`), so the machine's registry configuration applies.

A `cargo-vendor` source names the source whose Cargo.lock it serves:

    sources:
      - {name: rustpython, git: https://github.com/RustPython/RustPython, commit: <40 hex>}
      - {name: crates, cargo-vendor: rustpython}

Its bytes are a *vendor archive*: `cargo vendor --versioned-dirs` output as a tar.gz whose
top directory is `vendor/`, written deterministically (sorted names, mtime 0, uid/gid 0,
modes 0644/0755, gzip mtime 0). `python -m wasmimage vendor-crates` and
`python -m wasmimage mirror` make one. The fetch stage takes it, in this order, from

  1. the cache:   $WASMIMAGE_CACHE_DIR/cargo-vendor/<filename>
  2. a mirror:    <mirror>/<filename>, by default `<source>-<commit or sha256>-vendor.tar.gz`
  3. the network: `cargo vendor` on the fetched source (the machine's cargo configuration,
                  registry mirrors included, applies), packed the same way

and checks it against the Cargo.lock before keeping it: every registry package of the lock
must be there with the lock's checksum in its .cargo-checksum.json, every git package by name
and version, and every file must match the digest that file lists. The archive is therefore
tied to the pinned source even without a digest in the recipe; `sha256:` pins it further.
That digest is over the *uncompressed* tar, so any gzip yields the same value.

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
import sys
import tarfile
import tempfile
import tomllib
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from wasmimage.errors import PipelineError
from wasmimage.files import sha256_file
from wasmimage.recipe import Source
from wasmimage.toolchain import ResolvedToolchain

if TYPE_CHECKING:
    from wasmimage.fetch import FetchSettings

TOP = "vendor"  # the one top-level directory of a vendor archive
CONFIG = "config.toml"  # written beside vendor/ at build time
SOURCE_NAME = "wasmimage-vendor"  # the directory source name in that config
CHECKSUM_FILE = ".cargo-checksum.json"
CHUNK = 1 << 16
VENDOR_CARGO_ENV = "WASMIMAGE_VENDOR_CARGO"  # the cargo that runs `cargo vendor` in the fetch stage


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    source: str | None  # None: a path package (a workspace member), never vendored
    checksum: str | None

    @property
    def is_registry(self) -> bool:
        return bool(self.source) and self.source.startswith(("registry+", "sparse+"))

    @property
    def is_git(self) -> bool:
        return bool(self.source) and self.source.startswith("git+")


def parse_lock(text: str, where: str = "Cargo.lock") -> list[LockedPackage]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"{where}: not valid TOML: {exc}") from None
    return [LockedPackage(p["name"], p["version"], p.get("source"), p.get("checksum"))
            for p in data.get("package", [])]


def vendored_packages(packages: list[LockedPackage]) -> list[LockedPackage]:
    """The packages a vendor archive must hold: registry and git ones, not workspace members."""
    return [p for p in packages if p.is_registry or p.is_git]


# --- the Cargo.lock a cargo-vendor source serves -------------------------------------------

def lock_text(owner: Source, cached: Path) -> str:
    """The Cargo.lock at the root of `owner` (after its subdir), read from its cached bytes."""
    inner = f"{owner.subdir.rstrip('/')}/Cargo.lock" if owner.subdir else "Cargo.lock"
    if owner.kind == "git":
        result = subprocess.run(["git", "--git-dir", str(cached), "show", f"{owner.commit}:{inner}"],
                                capture_output=True, check=False)
        if result.returncode == 0:
            return result.stdout.decode()
    elif owner.filename.endswith(".zip"):
        with zipfile.ZipFile(cached) as archive:
            if inner in archive.namelist():
                return archive.read(inner).decode()
    else:
        with tarfile.open(cached) as archive:
            for member in archive:
                if member.isfile() and member.name.removeprefix("./") == inner:
                    return archive.extractfile(member).read().decode()
    raise PipelineError(f"{owner.name}: has no {inner}, so there are no pinned crates to vendor")


# --- checking a vendor tree or archive against the lock ------------------------------------

@dataclass
class _Crate:
    directory: str
    name: str | None = None
    version: str | None = None
    package: str | None = None
    listed: dict[str, str] | None = None
    present: dict[str, str] | None = None


def _crate_of(crates: dict[str, _Crate], directory: str) -> _Crate:
    return crates.setdefault(directory, _Crate(directory, present={}))


def _read_meta(crate: _Crate, name: str, data: bytes, where: str) -> None:
    if name == "Cargo.toml":
        try:
            package = tomllib.loads(data.decode()).get("package", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PipelineError(f"{where}: {crate.directory}/Cargo.toml is not valid TOML: {exc}") from None
        crate.name = package.get("name") if isinstance(package.get("name"), str) else None
        crate.version = package.get("version") if isinstance(package.get("version"), str) else None
    elif name == CHECKSUM_FILE:
        try:
            meta = json.loads(data)
        except ValueError as exc:
            raise PipelineError(f"{where}: {crate.directory}/{CHECKSUM_FILE} is not JSON: {exc}") from None
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
        crate = index.get((package.name, package.version))
        if crate is None:
            problems.append(f"{package.name} {package.version}: missing")
        elif package.is_registry and crate.package != package.checksum:
            problems.append(f"{package.name} {package.version}: package checksum {crate.package}, "
                            f"the Cargo.lock pins {package.checksum}")
    if problems:
        shown = "\n    ".join(problems[:12]) + (f"\n    ... and {len(problems) - 12} more" if len(problems) > 12 else "")
        raise PipelineError(f"{where}: does not match the Cargo.lock it serves:\n    {shown}")


def check_tree(vendor: Path, packages: list[LockedPackage]) -> None:
    """Check an unpacked vendor directory (crate directories inside `vendor`)."""
    crates: dict[str, _Crate] = {}
    for path in sorted(vendor.rglob("*")):
        rel = path.relative_to(vendor).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise PipelineError(f"{path}: only regular files and directories may be vendored")
        directory, _, name = rel.partition("/")
        if not name or path.is_dir():
            continue
        crate = _crate_of(crates, directory)
        data = path.read_bytes()
        crate.present[name] = hashlib.sha256(data).hexdigest()
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
    h = hashlib.sha256()
    with gzip.open(archive, "rb") as stream:
        while chunk := stream.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def check_archive(archive: Path, packages: list[LockedPackage], sha256: str | None = None) -> str:
    """Check a vendor archive without unpacking it; returns its uncompressed tar's sha256."""
    where = archive.name
    crates: dict[str, _Crate] = {}
    try:
        with gzip.open(archive, "rb") as raw:
            reader = _HashingReader(raw)
            with tarfile.open(fileobj=io.BufferedReader(reader, CHUNK), mode="r|") as tar:
                for member in tar:
                    parts = member.name.removeprefix("./").split("/")
                    if parts[0] != TOP or ".." in parts or member.name.startswith("/"):
                        raise PipelineError(f"{where}: {member.name!r} is outside {TOP}/")
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise PipelineError(f"{where}: {member.name}: only regular files and directories "
                                            f"may be vendored")
                    if len(parts) < 3:
                        raise PipelineError(f"{where}: {member.name}: a file outside any crate directory")
                    crate, name = _crate_of(crates, parts[1]), "/".join(parts[2:])
                    data = tar.extractfile(member).read()
                    crate.present[name] = hashlib.sha256(data).hexdigest()
                    if name in ("Cargo.toml", CHECKSUM_FILE):
                        _read_meta(crate, name, data, where)
            digest = reader.drain()
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as exc:
        raise PipelineError(f"{where}: not a readable tar.gz: {exc}") from None
    if sha256 and digest != sha256:
        raise PipelineError(f"{where}: sha256 of the uncompressed tar is {digest}, the recipe pins {sha256}")
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
                    raise PipelineError(f"{path}: only regular files and directories may be vendored")
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


def cargo_vendor(manifest_dir: Path, vendor: Path, cargo: str = "cargo", env: dict[str, str] | None = None) -> None:
    """Run `cargo vendor` for the Cargo.lock in manifest_dir (network, or the machine's source config)."""
    command = [cargo, "vendor", "--locked", "--versioned-dirs", "--respect-source-config",
               "--manifest-path", str(manifest_dir / "Cargo.toml"), str(vendor)]
    _log(f"$ {' '.join(command)}")
    try:
        result = subprocess.run(command, cwd=manifest_dir, env={**os.environ, **(env or {})},
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PipelineError(f"cannot run {cargo}: {exc.strerror}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        hint = ""
        if "git_proxy_options" in result.stderr:  # cargo built against another libgit2 than it runs with
            hint = (f"\n      this cargo cannot fetch git dependencies (Debian's cargo-web with bookworm's "
                    f"libgit2 1.5 cannot); set {VENDOR_CARGO_ENV} to another cargo, e.g. rustup's")
        raise PipelineError(f"`cargo vendor` failed (exit {result.returncode}):\n      "
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


# --- the fetch stage ------------------------------------------------------------------------

def _cargo_command(toolchain: Callable[[], ResolvedToolchain] | None) -> tuple[str, dict[str, str]]:
    """$WASMIMAGE_VENDOR_CARGO, else the recipe's toolchain's cargo if it resolves here, else `cargo` on PATH."""
    if os.environ.get(VENDOR_CARGO_ENV):
        return os.environ[VENDOR_CARGO_ENV], {}
    if toolchain is not None:
        try:
            resolved = toolchain()
            if "cargo" in resolved.vars:
                return resolved.vars["cargo"], dict(resolved.env)
        except PipelineError:
            pass
    return shutil.which("cargo") or "cargo", {}


def download_crate(source: Source, tmp: Path, toolchain: Callable[[], ResolvedToolchain] | None = None) -> str:
    """Have cargo download a published crate's .crate file into tmp (a `crate` source).

    `cargo fetch` for a throwaway manifest that depends on exactly NAME==VERSION, then the file
    from cargo's registry cache: the machine's cargo configuration (registry replacements and
    mirrors included) applies, and cargo checks the file against the registry index's
    checksum. It downloads the crate's dependencies too, into the same cache that `cargo
    vendor` uses next. The caller checks the recipe's sha256.
    """
    name, _, version = source.location.partition("==")
    cargo, env = _cargo_command(toolchain)
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".crate-") as work:
        manifest = Path(work) / "Cargo.toml"
        manifest.write_text(f'[package]\nname = "wasmimage-crate-fetch"\nversion = "0.0.0"\nedition = "2021"\n'
                            f'[lib]\npath = "lib.rs"\n[dependencies]\n{_toml(name)} = {_toml("=" + version)}\n')
        (Path(work) / "lib.rs").touch()
        command = [cargo, "fetch", "--manifest-path", str(manifest)]
        _log(f"$ {' '.join(command)}")
        try:
            result = subprocess.run(command, cwd=work, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, check=False)
        except OSError as exc:
            raise PipelineError(f"{source.name}: cannot run {cargo}: {exc.strerror}") from None
    home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    cached = sorted((home / "registry" / "cache").glob(f"*/{name}-{version}.crate"))
    chosen = next((c for c in cached if sha256_file(c) == source.sha256), cached[0] if cached else None)
    if result.returncode != 0 or chosen is None:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        first_error = next((i for i, line in enumerate(lines) if line.startswith("error")), max(len(lines) - 3, 0))
        detail = ("\n  ".join(lines[first_error:first_error + 3]) if result.returncode
                  else f"{name}-{version}.crate is not in {home}/registry/cache")
        raise PipelineError(f"{source.name}: cargo could not download {source.location} ({cargo} fetch):\n  "
                            f"{detail}\n  put {source.filename} in a mirror to build without the registry")
    shutil.copyfile(chosen, tmp)
    return f"the cargo registry ({chosen})"


def fetch_vendor(source: Source, settings: FetchSettings, toolchain: Callable[[], ResolvedToolchain] | None = None) -> Path:
    """Return the cached, checked vendor archive for `source`, making or fetching it if needed."""
    from wasmimage import fetch as fetching
    from wasmimage.files import owned_temp, sweep_stale

    target = fetching.cached_path(source, settings)
    sweep_stale(target.parent, fetching.PARTIAL)  # what killed fetches left behind
    owner = source.vendors
    if target.exists():
        if source.sha256 and tar_digest(target) != source.sha256:
            _log(f"{source.name}: cached {target.name} does not match its pinned digest; discarding it")
            target.unlink()
        else:
            return target
    tried = []
    if owner is None or not fetching.is_cached(owner, settings):
        for mirror in settings.mirrors:
            location = f"{mirror.rstrip('/')}/{source.filename}"
            there = "://" not in location and Path(location).is_file()
            tried.append(f"{location}: {'there, but it cannot be checked yet' if there else 'not there'}")
        raise PipelineError(
            f"{source.name}: the crates {source.location}'s Cargo.lock pins ({source.filename}) cannot be "
            f"checked, fetched or vendored before {source.location} itself is fetched"
            + "".join(f"\n  {t}" for t in tried))
    packages = parse_lock(lock_text(owner, fetching.cached_path(owner, settings)), f"{owner.name}/Cargo.lock")
    target.parent.mkdir(parents=True, exist_ok=True)
    for mirror in settings.mirrors:
        location = f"{mirror.rstrip('/')}/{source.filename}"
        with owned_temp(target.parent, fetching.PARTIAL) as tmp:
            try:
                fetching._copy_from(location, tmp, settings)
            except FileNotFoundError:
                tried.append(f"{location}: not there")
                continue
            except PipelineError as exc:
                tried.append(str(exc))
                continue
            try:
                digest = check_archive(tmp, packages, source.sha256)
            except PipelineError as exc:
                tried.append(f"{location}: {exc}")
                continue
            os.replace(tmp, target)
            _log(f"{source.name}: {source.filename} from {location} (tar sha256 {digest})")
            return target
    cargo, env = _cargo_command(toolchain)
    with owned_temp(target.parent, fetching.PARTIAL, is_dir=True) as work:
        tree = work / "src"
        tree.mkdir()
        fetching.unpack(owner, fetching.cached_path(owner, settings), tree / owner.name)
        archive = work / source.filename
        try:
            digest = make_archive(tree / owner.name, archive, cargo, env)
            if source.sha256 and digest != source.sha256:
                raise PipelineError(f"the vendored crates' tar has sha256 {digest}, the recipe pins {source.sha256} "
                                    f"(another cargo version vendors differently?)")
        except PipelineError as exc:
            tried.append(f"cargo vendor ({cargo}): {exc}")
            raise PipelineError(f"{source.name}: cannot provide the crates {owner.name}'s Cargo.lock pins "
                                f"({len(vendored_packages(packages))} packages, {source.filename}):\n  "
                                + "\n  ".join(tried)) from None
        os.replace(archive, target)
    _log(f"{source.name}: vendored {len(vendored_packages(packages))} crates with cargo (tar sha256 {digest})")
    return target


def recorded_pin(source: Source, settings: FetchSettings) -> dict[str, Any]:
    """The manifest's record of a cargo-vendor source: what it serves and the digest really used."""
    from wasmimage import fetch as fetching

    pin = dict(source.pin)
    pin["sha256"] = tar_digest(fetching.cached_path(source, settings))
    pin["pinned"] = bool(source.sha256)
    return pin


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
        raise PipelineError(f"{std_crates}: the toolchain's std crates are not there")
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
                raise PipelineError(f"{ident[0]} {ident[1]} is both in {have[ident]} and in the toolchain's "
                                    f"{crate} with different package checksums")
            continue
        link = vendor / f"{ident[0]}-{ident[1]}"
        if link.exists():
            raise PipelineError(f"{link}: already taken; cannot add the toolchain's {crate}")
        link.symlink_to(crate, target_is_directory=True)


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


def source_config(packages: list[LockedPackage], vendor: Path) -> str:
    """Cargo configuration replacing the registry and every git source of the lock by `vendor`."""
    registries = sorted({p.source for p in packages if p.is_registry})
    if len(registries) > 1:
        raise PipelineError(f"the Cargo.lock uses {len(registries)} registries ({', '.join(registries)}); "
                            f"only the default one can be vendored")
    lines = ["# Written by wasmimage (cargo.py): every crate comes from the vendor directory.",
             "[source.crates-io]", f"replace-with = {_toml(SOURCE_NAME)}", "",
             f"[source.{SOURCE_NAME}]", f"directory = {_toml(str(vendor))}", ""]
    for source in sorted({p.source.split("#", 1)[0] for p in packages if p.is_git}):
        url = urllib.parse.urlsplit(source.removeprefix("git+"))
        lines += [f"[source.{_toml(source)}]", f"git = {_toml(urllib.parse.urlunsplit(url._replace(query='')))}"]
        for key, values in sorted(urllib.parse.parse_qs(url.query).items()):
            if key in ("branch", "tag", "rev"):
                lines.append(f"{key} = {_toml(values[0])}")
        lines += [f"replace-with = {_toml(SOURCE_NAME)}", ""]
    return "\n".join(lines)


def prepare(source: Source, toolchain: ResolvedToolchain, work_dir: Path) -> None:
    """Finish src/<name> after unpacking: add the std crates and write config.toml."""
    root = work_dir / "src" / source.name
    vendor = root / TOP
    if not vendor.is_dir():
        raise PipelineError(f"{source.name}: {source.filename} has no {TOP}/ directory")
    lock = work_dir / "src" / source.location / "Cargo.lock"  # the owner's subdir is already its root
    packages = parse_lock(lock.read_text(), str(lock))
    if toolchain.std_crates:
        _add_std_crates(vendor, Path(toolchain.std_crates))
    (root / CONFIG).write_text(source_config(packages, vendor))


def _log(message: str) -> None:
    print(f"[cargo] {message}", file=sys.stderr, flush=True)
