"""What a channel is asked about (a Pin and its query), what it answers, and how channels read a URL.

A channel is a module with NAME (how messages call it) and `ask(queries, context)`, which
returns, for each query, an Answer or the PipelineError that stopped it: NotFound when the
channel does not know the package, Unavailable when it could not be asked (unreachable, or
not configured here). It raises instead when nothing at all could be asked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from wasmimage.errors import NotFound, PipelineError, Unavailable
from wasmimage.pipeline.fetch import download
from wasmimage.pipeline.outdated.versions import Version
from wasmimage.sources.base import FetchSettings

Result = dict[Hashable, "Answer | PipelineError"]


@dataclass(frozen=True)
class Pin:
    """One pinned version in a recipe or toolchain file, and what its channel is asked."""

    file: str  # recipes/cpython.yaml
    name: str  # the source's name, or `provider: package` in a toolchain
    kind: str  # the source kind or the toolchain provider's kind
    pinned: str  # as the file pins it
    channel: str | None  # the channel module's NAME; None when there is no machine-readable channel
    query: Hashable = None  # what that channel needs to look the pin up (its own dataclass)
    no_channel: str = ""  # why there is none


@dataclass(frozen=True)
class Answer:
    pinned: Version | None  # the pin as the channel orders versions; None when it cannot place it (an untagged commit)
    versions: tuple[Version, ...]  # the releases it offers (yanked ones and, for a released pin, pre-releases left out)
    complete: bool = True  # it lists every release, not only its newest
    security: str = ""  # why the pin misses a security release, when the channel can say so
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What channels may use: how to download, the mirrors and Debian archives, and where to look for
    cargo's configuration."""

    fetch: FetchSettings
    crate_index: str | None  # WASMIMAGE_CRATE_INDEX
    debian_release: str | None  # the release whose suites hold the Debian toolchain packages
    root: Path  # the project root


def read(url: str, settings: FetchSettings) -> bytes:
    """The bytes at an http(s) URL (retried as the fetch stage retries), a file: URL or a path.

    NotFound when there is nothing there, Unavailable when it could not be read.
    """
    if url.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="wasmimage-outdated-") as work:
            body = Path(work) / "body"
            download(url, body, settings)
            return body.read_bytes()
    path = Path(url.removeprefix("file://").removeprefix("file:"))
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"{path}: not there") from None
    except OSError as exc:
        raise Unavailable(f"{path}: {exc.strerror}") from None
