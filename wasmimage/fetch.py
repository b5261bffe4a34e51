"""Fetch sources into a content-addressed cache, from mirrors first, verifying every byte.

Cache layout (default `.cache/sources`, or $WASMIMAGE_CACHE_DIR):
    sha256/<hex>          a url or pypi-sdist source, named by its own digest
    git/<commit>.git      a bare repository holding that commit (git checks object hashes)

Mirrors ($WASMIMAGE_MIRRORS, space-separated local directories or http(s) base URLs) are
tried in order before upstream. A mirror holds files under the source's file name
(`quickjs_ng-0.17.0.2.tar.gz`) and git repositories as `<name>.git`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from tqdm import tqdm

from wasmimage.errors import PipelineError
from wasmimage.recipe import Source

CACHE_ENV = "WASMIMAGE_CACHE_DIR"
MIRRORS_ENV = "WASMIMAGE_MIRRORS"
CHUNK = 1 << 16


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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def cached_path(source: Source, settings: FetchSettings) -> Path:
    if source.kind == "git":
        return settings.cache_dir / "git" / f"{source.commit}.git"
    return settings.cache_dir / "sha256" / source.sha256


def is_cached(source: Source, settings: FetchSettings) -> bool:
    return cached_path(source, settings).exists()


def fetch(source: Source, settings: FetchSettings) -> Path:
    """Return the cached, verified source, fetching it first if needed."""
    target = cached_path(source, settings)
    if source.kind == "git":
        return target if target.exists() else _fetch_git(source, settings, target)
    if target.exists():
        if sha256_file(target) == source.sha256:
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
            errors.append(f"{location}: not there")
        except PipelineError as exc:
            errors.append(str(exc))
    if source.kind == "url":
        getter = lambda tmp: _download(source.location, tmp, settings)  # noqa: E731
    else:
        getter = lambda tmp: _pip_download(source, tmp)  # noqa: E731
    try:
        return _store(source, target, getter)
    except PipelineError as exc:
        tried = "".join(f"\n  mirror {e}" for e in errors)
        raise PipelineError(f"{exc}{tried}") from None


def _store(source: Source, target: Path, getter) -> Path:
    """Run getter into a temporary file beside target, verify it, and rename it into place."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        origin = getter(tmp)
        actual = sha256_file(tmp)
        if actual != source.sha256:
            raise PipelineError(f"{source.name}: sha256 mismatch for {origin}\n"
                                f"  expected {source.sha256}\n  actual   {actual}\n  nothing was kept")
        os.replace(tmp, target)
        _log(f"{source.name}: fetched {source.filename} from {origin}")
        return target
    finally:
        tmp.unlink(missing_ok=True)


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
    """GET url into tmp, retrying transient failures with exponential backoff."""
    for attempt in range(settings.attempts):
        try:
            _download_once(url, tmp, settings)
            return url
        except _Retryable as exc:
            if attempt + 1 == settings.attempts:
                raise PipelineError(f"{url}: {exc} (gave up after {settings.attempts} attempts)") from None
            delay = settings.backoff * 2 ** attempt
            _log(f"{url}: {exc}; retrying in {delay:.1f}s")
            time.sleep(delay)
    raise AssertionError("unreachable")


def _download_once(url: str, tmp: Path, settings: FetchSettings) -> None:
    try:
        with requests.get(url, stream=True, timeout=settings.timeout) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise PipelineError(f"{url}: HTTP {response.status_code} {response.reason}")
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tmp.open("wb") as out, tqdm(total=total, unit="B", unit_scale=True, leave=False,
                                             desc=url.rsplit("/", 1)[-1][:40],
                                             disable=not sys.stderr.isatty()) as bar:
                for chunk in response.iter_content(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            if total is not None and received != total:
                raise _Retryable(f"body ended after {received} of {total} bytes")
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from None
    except requests.exceptions.ChunkedEncodingError as exc:
        raise _Retryable(f"connection dropped mid-body: {exc}") from None


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
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".partial-"))
    try:
        _git("init", "-q", "--bare", str(work))
        name = source.location.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        locations = [f"{m.rstrip('/')}/{name}.git" for m in settings.mirrors] + [source.location]
        errors = []
        for location in locations:
            result = subprocess.run(["git", "-C", str(work), "fetch", "-q", "--depth", "1", location, source.commit],
                                    capture_output=True, text=True, check=False)
            if result.returncode == 0:
                resolved = _git("-C", str(work), "rev-parse", "FETCH_HEAD").strip()
                if resolved != source.commit:
                    raise PipelineError(f"{source.name}: {location} gave commit {resolved}, expected {source.commit}")
                os.replace(work, target)
                _log(f"{source.name}: fetched commit {source.commit[:12]} from {location}")
                return target
            errors.append(f"{location}: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'failed'}")
        raise PipelineError(f"{source.name}: cannot fetch commit {source.commit}:\n  " + "\n  ".join(errors))
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
            shutil.unpack_archive(cached, root, format=_archive_format(source.filename), filter="data")
        top = root / source.subdir if source.subdir else root
        if not top.is_dir():
            raise PipelineError(f"{source.name}: subdir {source.subdir!r} is not in {source.filename}")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.move(top, dest)


def _archive_format(filename: str) -> str:
    for suffix, fmt in ((".tar.gz", "gztar"), (".tgz", "gztar"), (".tar.xz", "xztar"),
                        (".tar.bz2", "bztar"), (".tar", "tar"), (".zip", "zip")):
        if filename.endswith(suffix):
            return fmt
    raise PipelineError(f"{filename}: unknown archive type")


def _log(message: str) -> None:
    print(f"[fetch] {message}", file=sys.stderr, flush=True)
