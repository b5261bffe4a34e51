"""Fetch sources into a content-addressed cache, from mirrors first, verifying every byte.

Cache layout (default `.cache/sources`, or $WASMIMAGE_CACHE_DIR):
    sha256/<hex>          a url, pypi-sdist or crate source, named by its own digest
    git/<commit>.git      a bare repository holding that commit (`git fsck --strict` before each use)
    cargo-vendor/<file>   a cargo-vendor source, checked against its Cargo.lock (cargo.py)

Mirrors ($WASMIMAGE_MIRRORS, space-separated local directories or http(s) base URLs) are
tried in order before upstream. A mirror holds files under the source's file name
(`quickjs_ng-0.17.0.2.tar.gz`) and git repositories as `<name>.git`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.recipe import Source

CACHE_ENV = "WASMIMAGE_CACHE_DIR"
MIRRORS_ENV = "WASMIMAGE_MIRRORS"
CHUNK = 1 << 16
PARTIAL = ".partial-"  # what a fetch in progress (or killed) is called; never a cache entry


@dataclass(frozen=True)
class FetchSettings:
    cache_dir: Path
    mirrors: tuple[str, ...] = ()
    attempts: int = 4  # per location, for errors that retrying can fix
    backoff: float = 0.5  # seconds before the 2nd attempt, doubling after
    timeout: float = 30.0  # seconds to connect, and between two received chunks

    @classmethod
    def from_env(cls, default_cache: Path) -> FetchSettings:
        return cls(Path(os.environ.get(CACHE_ENV) or default_cache),
                   tuple(os.environ.get(MIRRORS_ENV, "").split()))


class _Retryable(Exception):
    """A failure worth another attempt at the same location (5xx, dropped connection, timeout)."""


def cached_path(source: Source, settings: FetchSettings) -> Path:
    if source.kind == "git":
        return settings.cache_dir / "git" / f"{source.commit}.git"
    if source.kind == "cargo-vendor":
        return settings.cache_dir / "cargo-vendor" / source.filename
    return settings.cache_dir / "sha256" / source.sha256


def is_cached(source: Source, settings: FetchSettings) -> bool:
    return cached_path(source, settings).exists()


def fetch(source: Source, settings: FetchSettings, toolchain=None) -> Path:
    """Return the cached, verified source, fetching it first if needed.

    `toolchain` (a callable returning the recipe's resolved toolchain) gives crate sources the
    cargo that downloads them when no mirror has them.
    """
    target = cached_path(source, settings)
    files.sweep_stale(target.parent, PARTIAL)  # what killed fetches left behind
    if source.kind == "cargo-vendor":
        from wasmimage import cargo

        return cargo.fetch_vendor(source, settings)
    if source.kind == "git":
        return _verified_git(source, target) if target.exists() else _fetch_git(source, settings, target)
    if target.exists():
        if files.sha256_file(target) == source.sha256:
            return target
        _log(f"{source.name}: cached file {target} does not match its digest; discarding it")
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for mirror in settings.mirrors:
        location = f"{mirror.rstrip('/')}/{source.filename}"
        try:
            return _store(source, target, lambda tmp, loc=location: _copy_from(loc, tmp, settings))
        except FileNotFoundError:
            errors.append(f"mirror {location}: not there")
        except PipelineError as exc:
            errors.append(f"mirror {exc}")
    if source.debian:
        from wasmimage import debian_source

        if debian_source.available():  # before the url: where apt works, Debian's archive is the nearer copy
            try:
                return _store(source, target, lambda tmp: debian_source.download(source.debian, tmp))
            except PipelineError as exc:
                errors.append(str(exc))
        else:
            errors.append(f"{debian_source.describe(source.debian)}: not tried, apt-get is not installed")
    if source.kind == "url":
        getter = lambda tmp: _download(source.location, tmp, settings)  # noqa: E731
    elif source.kind == "crate":
        from wasmimage import cargo

        getter = lambda tmp: cargo.download_crate(source, tmp, toolchain)  # noqa: E731
    elif source.kind == "pypi-sdist":
        getter = lambda tmp: _pip_download(source, tmp)  # noqa: E731
    else:  # debian-source: no other location
        raise PipelineError(f"{source.name}: cannot fetch {source.filename}:" + "".join(f"\n  {e}" for e in errors))
    try:
        return _store(source, target, getter)
    except PipelineError as exc:
        tried = "".join(f"\n  {e}" for e in errors)
        raise PipelineError(f"{exc}{tried}") from None


def _store(source: Source, target: Path, getter) -> Path:
    """Run getter into a temporary file beside target, verify it, and rename it into place."""
    try:
        with files.owned_temp(target.parent, PARTIAL) as tmp:
            origin = getter(tmp)
            actual = files.sha256_file(tmp)
            if actual != source.sha256:
                raise PipelineError(f"{source.name}: sha256 mismatch for {origin}\n"
                                    f"  expected {source.sha256}\n  actual   {actual}\n  nothing was kept")
            os.replace(tmp, target)
    except OSError as exc:
        if files.no_space(exc):
            raise PipelineError(f"{source.name}: cannot store {source.filename} in {target.parent}: "
                                f"{os.strerror(exc.errno)}; nothing was kept") from None
        raise
    _log(f"{source.name}: fetched {source.filename} from {origin}")
    return target


def _copy_from(location: str, tmp: Path, settings: FetchSettings) -> str:
    if location.startswith(("http://", "https://")):
        try:
            return _download(location, tmp, settings)
        except PipelineError as exc:
            if "HTTP 404" in str(exc):
                raise FileNotFoundError(location) from None
            raise
    path = Path(location.removeprefix("file://"))
    shutil.copyfile(path, tmp)  # FileNotFoundError when the mirror lacks it
    return str(path)


def _download(url: str, tmp: Path, settings: FetchSettings) -> str:
    """GET url into tmp, retrying transient failures with exponential backoff.

    A transfer cut short is resumed with a Range request when the server named a validator
    (ETag or Last-Modified) to send as If-Range; otherwise, or if the server does not answer
    with the exact range, it starts over. The caller verifies the sha256 of the result.
    """
    resume: dict[str, str] = {}
    for attempt in range(settings.attempts):
        try:
            _download_once(url, tmp, settings, resume)
            return url
        except _Retryable as exc:
            if attempt + 1 == settings.attempts:
                raise PipelineError(f"{url}: {exc} (gave up after {settings.attempts} attempts)") from None
            delay = settings.backoff * 2 ** attempt
            _log(f"{url}: {exc}; retrying in {delay:.1f}s")
            time.sleep(delay)
    raise AssertionError("unreachable")


def _download_once(url: str, tmp: Path, settings: FetchSettings, resume: dict[str, str]) -> None:
    import requests  # here, not at the top: doit loads this module on every run, even a no-op
    import urllib3
    from tqdm import tqdm

    have = tmp.stat().st_size if tmp.exists() else 0
    # identity: store the bytes exactly as served (a .tar.gz must not be gunzipped in transit)
    headers = {"Accept-Encoding": "identity"}
    if have and resume.get("validator"):
        headers.update({"Range": f"bytes={have}-", "If-Range": resume["validator"]})
    try:
        with requests.get(url, stream=True, timeout=settings.timeout, headers=headers) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retryable(f"HTTP {response.status_code}")
            start = 0
            if response.status_code == 206 and "Range" in headers:
                match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
                if not match or int(match.group(1)) != have:
                    resume.clear()
                    raise _Retryable(f"unusable range answer {response.headers.get('Content-Range')!r}")
                start = have
            elif response.status_code != 200:
                raise PipelineError(f"{url}: HTTP {response.status_code} {response.reason}")
            else:
                etag = response.headers.get("ETag", "")
                validator = etag if etag and not etag.startswith("W/") else response.headers.get("Last-Modified")
                resume.clear()
                resume.update({"validator": validator} if validator else {})
            length = int(response.headers.get("Content-Length") or 0) or None
            total = start + length if length is not None else None
            received = start
            with tmp.open("ab" if start else "wb") as out, tqdm(
                    total=total, initial=start, unit="B", unit_scale=True, leave=False,
                    desc=url.rsplit("/", 1)[-1][:40], disable=not sys.stderr.isatty()) as bar:
                for chunk in response.raw.stream(CHUNK, decode_content=False):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise _Retryable(f"body ended after {received} of {total} bytes")
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from None
    except (urllib3.exceptions.HTTPError, requests.exceptions.ChunkedEncodingError) as exc:
        raise _Retryable(f"transfer broke off ({type(exc).__name__}: {exc})") from None


def _pip_download(source: Source, tmp: Path) -> str:
    """`pip download` the sdist so the machine's own index configuration applies."""
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".pip-") as work:
        command = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                   "--disable-pip-version-check", "-q", "-d", work, source.location]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        files = list(Path(work).iterdir())
        if result.returncode != 0 or len(files) != 1:
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise PipelineError(f"{source.name}: pip download {source.location} failed:\n  " + "\n  ".join(detail)
                                + f"\n  put {source.filename} in a mirror ({MIRRORS_ENV}) to build offline")
        shutil.move(files[0], tmp)
    return f"pip download {source.location}"


def _fetch_git(source: Source, settings: FetchSettings, target: Path) -> Path:
    """Fetch one commit into a bare repository; git verifies the object hashes."""
    with files.owned_temp(target.parent, PARTIAL, is_dir=True) as work:
        _git("init", "-q", "--bare", str(work))
        name = source.location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        locations = [f"{m.rstrip('/')}/{name}.git" for m in settings.mirrors] + [source.location]
        errors = []
        for location in locations:
            if "://" not in location and not Path(location).exists():
                errors.append(f"{location}: not there")  # a mirror directory without this repository
                continue
            result = subprocess.run(["git", "-C", str(work), "fetch", "-q", "--depth", "1", location, source.commit],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0:
                resolved = _git("-C", str(work), "rev-parse", "FETCH_HEAD").strip()
                if resolved != source.commit:
                    raise PipelineError(f"{source.name}: {location} gave commit {resolved}, expected {source.commit}")
                os.replace(work, target)
                _log(f"{source.name}: fetched commit {source.commit[:12]} from {location}")
                return target
            lines = result.stderr.strip().splitlines() or ["failed"]
            errors.append(f"{location}: {next((x for x in lines if x.startswith('fatal:')), lines[-1])}")
        raise PipelineError(f"{source.name}: cannot fetch commit {source.commit}:\n  " + "\n  ".join(errors))


def _verified_git(source: Source, repo: Path) -> Path:
    """A cached repository, once git has re-hashed every object in it and found the commit.

    git reads objects without checking their hashes, so a repository planted in (or damaged
    in) a shared cache would otherwise be unpacked as is.
    """
    checks = (["fsck", "--strict", "--no-dangling", "--no-progress"], ["cat-file", "-e", f"{source.commit}^{{commit}}"])
    for check in checks:
        result = subprocess.run(["git", "--git-dir", str(repo), *check], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            lines = (result.stderr + result.stdout).strip().splitlines()
            detail = "\n    ".join(([x for x in lines if not x.startswith("notice:")] or lines)[:5]) or "failed"
            raise PipelineError(f"{source.name}: the cached repository {repo} fails `git {' '.join(check)}`; "
                                f"refusing to use it:\n    {detail}\n  delete it to fetch commit {source.commit} again")
    return repo


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def unpack(source: Source, cached: Path, dest: Path) -> None:
    """Lay out a fetched source at dest (its `subdir` becomes the root)."""
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".unpack-") as work:
        root = Path(work)
        if source.kind == "git":
            archive = subprocess.run(["git", "--git-dir", str(cached), "archive", "--format=tar", source.commit],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        else:
            fmt = _archive_format(source.filename)
            # Python 3.11's zip unpacker takes no filter (it refuses absolute and .. names itself).
            shutil.unpack_archive(cached, root, format=fmt, **({} if fmt == "zip" else {"filter": "data"}))
        top = root / source.subdir if source.subdir else root
        if not top.is_dir():
            raise PipelineError(f"{source.name}: subdir {source.subdir!r} is not in {source.filename}")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.move(top, dest)


def _archive_format(filename: str) -> str:
    for suffix, fmt in ((".tar.gz", "gztar"), (".tgz", "gztar"), (".crate", "gztar"), (".tar.xz", "xztar"),
                        (".tar.bz2", "bztar"), (".tar", "tar"), (".zip", "zip")):
        if filename.endswith(suffix):
            return fmt
    raise PipelineError(f"{filename}: unknown archive type")


def _log(message: str) -> None:
    print(f"[fetch] {message}", file=sys.stderr, flush=True)


def fetch_all(recipe_name: str, sources: tuple[Source, ...], settings: FetchSettings, toolchain=None) -> None:
    """Fetch every source; if any cannot be had, name all of them and the two ways to provide them.

    `toolchain` (a callable returning the recipe's resolved toolchain) gives crate and
    cargo-vendor sources the cargo that downloads or vendors them when no mirror has them.
    """
    problems = []
    for source in sources:
        try:
            if source.kind == "cargo-vendor":
                from wasmimage import cargo

                cargo.fetch_vendor(source, settings, toolchain)
            else:
                fetch(source, settings, toolchain)
        except PipelineError as exc:
            problems.append((source, str(exc)))
    if problems:
        raise PipelineError(missing_sources_message(recipe_name, problems, len(sources), settings))


def mirror_name(source: Source) -> str:
    """What a mirror directory holds this source as."""
    if source.kind == "git":
        return source.location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") + ".git"
    return source.filename


def missing_sources_message(recipe_name: str, problems: list[tuple[Source, str]], total: int,
                            settings: FetchSettings) -> str:
    details = "\n".join("  - " + text.replace("\n", "\n    ") for _, text in problems)
    wanted = ", ".join(mirror_name(s) for s, _ in problems)
    mirrors = " ".join(settings.mirrors) or "none set"
    return (f"{recipe_name}: {len(problems)} of {total} source(s) cannot be fetched here, so nothing was built:\n"
            f"{details}\n"
            f"Provide them in one of two ways:\n"
            f"  1. network: build where the locations above are reachable (for crate and cargo-vendor sources\n"
            f"     the cargo registry); the fetch stage verifies and caches every source, running cargo for\n"
            f"     crate and cargo-vendor sources.\n"
            f"  2. a mirror: on a connected machine run `python -m wasmimage mirror {recipe_name} DIR`, which\n"
            f"     writes into DIR: {wanted}\n"
            f"     Bring DIR here and set {MIRRORS_ENV}=DIR (now: {mirrors})."
            + ("\n  docs/rust.md describes vendored crates." if any(s.kind == "cargo-vendor" for s, _ in problems)
               else ""))
