"""Fetch sources into a content-addressed cache, from mirrors first, verifying every byte.

What differs between source kinds (url, git, pypi-sdist, crate, cargo-vendor, debian-source)
is in wasmimage/sources/, one module each, chosen by `sources.table.kind_of`. This module is
the part they share: the cache, the mirrors, HTTP, and the order of locations.

Cache layout (default `.cache/sources`, or $WASMIMAGE_CACHE_DIR):
    sha256/<hex>          a url, pypi-sdist, crate or debian-source source, named by its own digest
    git/<commit>.git      a bare repository holding that commit (`git fsck --strict` before each use)
    cargo-vendor/<file>   a cargo-vendor source, checked against its Cargo.lock

Mirrors ($WASMIMAGE_MIRRORS, space-separated local directories or http(s) base URLs) are
tried in order before upstream. A mirror holds files under the source's file name
(`quickjs_ng-0.17.0.2.tar.gz`) and git repositories as `<name>.git`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wasmimage import files, log, retry
from wasmimage.errors import InvalidInput, NotFound, PipelineError, Tampered, Unavailable
from wasmimage.sources.base import MIRRORS_ENV, PARTIAL, Context, FetchSettings, Kind
from wasmimage.sources.table import kind_of

if TYPE_CHECKING:
    from wasmimage.pipeline.recipe import Source

CHUNK = 1 << 16
_log = log.get("fetch")


def cached_path(source: Source, settings: FetchSettings) -> Path:
    return settings.cache_dir / kind_of(source).cache_name(source)


def is_cached(source: Source, settings: FetchSettings) -> bool:
    return cached_path(source, settings).exists()


def mirror_name(source: Source) -> str:
    """What a mirror directory holds this source as."""
    return kind_of(source).mirror_name(source)


def recorded_pin(source: Source, settings: FetchSettings) -> dict:
    """A fetched source's record in build-info.json and the manifest."""
    return kind_of(source).recorded_pin(source, cached_path(source, settings))


def to_mirror(source: Source, settings: FetchSettings, dest_dir: Path) -> str:
    """Write a fetched source into a mirror directory, as `fetch` looks for it there; the line to print."""
    return kind_of(source).to_mirror(source, cached_path(source, settings), dest_dir / mirror_name(source))


def fetch(source: Source, settings: FetchSettings, toolchain=None) -> Path:
    """Return the cached, verified source, fetching it first if needed.

    Order: the cache, each mirror, then the kind's own upstream locations. `toolchain` (a
    callable returning the recipe's resolved toolchain) gives crate and cargo-vendor sources
    the cargo that downloads or vendors them when no mirror has them.
    """
    kind = kind_of(source)
    target = cached_path(source, settings)
    files.sweep_stale(target.parent, PARTIAL)  # what killed fetches left behind
    if target.exists():
        if kind.reuse(source, target):
            return target
        _log.warning("%s: cached file %s does not match its digest; discarding it", source.name, target)
        target.unlink()
    ctx = _context(settings, toolchain)
    tried: list[str] = []
    for mirror in settings.mirrors:
        location = f"{mirror.rstrip('/')}/{kind.mirror_name(source)}"
        try:
            return _store(kind, source, target, _from_mirror(kind, source, location, ctx), ctx)
        except NotFound:
            tried.append(f"mirror {location}: not there")
        except PipelineError as exc:
            tried.append(f"mirror {exc}")
    failures: list[PipelineError] = []
    for way in kind.upstream(source, ctx):
        if way.get is None:
            tried.append(way.skipped)
            continue
        try:
            return _store(kind, source, target, way.get, ctx)
        except PipelineError as exc:
            failures.append(exc)
    # The last location's error leads (its kind is the verdict), then everything else that was tried.
    verdict = failures.pop() if failures else Unavailable(f"{source.name}: cannot fetch {kind.describe(source)}:")
    raise type(verdict)(str(verdict) + "".join(f"\n  {t}" for t in [*tried, *map(str, failures)])) from None


def _from_mirror(kind: Kind, source: Source, location: str, ctx: Context) -> Callable[[Path], str]:
    """A getter for _store that copies `source` from the mirror `location`."""
    return lambda tmp: kind.from_mirror(source, location, tmp, ctx)


def _store(kind: Kind, source: Source, target: Path, getter: Callable[[Path], str], ctx: Context) -> Path:
    """Run getter into a temporary path beside target, check it, and rename it into place."""
    try:
        with files.owned_temp(target.parent, PARTIAL, is_dir=kind.directory) as tmp:
            origin = getter(tmp)
            kind.check(source, tmp, origin, ctx)
            os.replace(tmp, target)
    except OSError as exc:
        if exc.errno is not None and files.no_space(exc):
            raise Unavailable(f"{source.name}: cannot store {source.filename} in {target.parent}: "
                              f"{os.strerror(exc.errno)}; nothing was kept") from None
        raise
    _log.info("%s: fetched %s from %s", source.name, kind.describe(source), origin)
    return target


def _context(settings: FetchSettings, toolchain) -> Context:
    def cached(other: Source) -> Path | None:
        path = cached_path(other, settings)
        return path if path.exists() else None

    def read(other: Source, inner: str) -> bytes | None:
        return kind_of(other).read(other, cached_path(other, settings), inner)

    return Context(settings, toolchain, download=lambda url, tmp: download(url, tmp, settings), cached=cached,
                   read=read, unpack=lambda other, dest: unpack(other, cached_path(other, settings), dest))


def download(url: str, tmp: Path, settings: FetchSettings) -> str:
    """GET url into tmp, retrying transient failures (wasmimage.retry); returns the URL.

    A transfer cut short is resumed with a Range request when the server named a validator
    (ETag or Last-Modified) to send as If-Range; otherwise, or if the server does not answer
    with the exact range, it starts over. The caller verifies the sha256 of the result.
    """
    resume: dict[str, str] = {}
    retry.with_retries(lambda: _download_once(url, tmp, settings, resume), url,
                       retry.Backoff(settings.attempts, settings.backoff), stage="fetch")
    return url


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
                raise retry.Transient(f"HTTP {response.status_code}")
            start = 0
            if response.status_code == 206 and "Range" in headers:
                match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
                if not match or int(match.group(1)) != have:
                    resume.clear()
                    raise retry.Transient(f"unusable range answer {response.headers.get('Content-Range')!r}")
                start = have
            elif response.status_code in (404, 410):
                raise NotFound(f"{url}: HTTP {response.status_code} {response.reason}")
            elif response.status_code != 200:
                raise Unavailable(f"{url}: HTTP {response.status_code} {response.reason}")
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
                raise retry.Transient(f"body ended after {received} of {total} bytes")
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise retry.Transient(f"{type(exc).__name__}: {exc}") from None
    except (urllib3.exceptions.HTTPError, requests.exceptions.ChunkedEncodingError) as exc:
        raise retry.Transient(f"transfer broke off ({type(exc).__name__}: {exc})") from None


def unpack(source: Source, cached: Path, dest: Path) -> None:
    """Lay out a fetched source at dest (its `subdir` becomes the root)."""
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".unpack-") as work:
        root = Path(work)
        kind_of(source).unpack(source, cached, root)
        top = root / source.subdir if source.subdir else root
        if not top.is_dir():
            raise InvalidInput(f"{source.name}: subdir {source.subdir!r} is not in {source.filename}")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.move(top, dest)


def fetch_all(recipe_name: str, sources: tuple[Source, ...], settings: FetchSettings, toolchain=None) -> None:
    """Fetch every source; if any cannot be had, name all of them and the two ways to provide them.

    `toolchain` (a callable returning the recipe's resolved toolchain) gives crate and
    cargo-vendor sources the cargo that downloads or vendors them when no mirror has them.
    """
    problems = []
    for source in sources:
        try:
            fetch(source, settings, toolchain)
        except PipelineError as exc:
            problems.append((source, exc))
    if problems:
        # one kind is the verdict: Tampered if any source is (it is never retried), else the first problem's
        error = next((type(e) for _, e in problems if isinstance(e, Tampered)), type(problems[0][1]))
        raise error(missing_sources_message(recipe_name, [(s, str(e)) for s, e in problems], len(sources), settings))


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
            + "".join(f"\n  {docs}" for docs in dict.fromkeys(kind_of(s).docs for s, _ in problems) if docs))
