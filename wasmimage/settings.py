"""Every setting that comes from the environment, read once into one object and passed down.

No other module reads `os.environ` for a WASMIMAGE_* variable: the CLI (cli.main), the doit
tasks (dodo.py) and the benchmarks call `Settings.from_environ()` once, at their start, and hand
the result down: the build half through Project.settings, the run half as parameters
(runtime.native.NativeStore, registry Credentials, the OCI cache). README's "Settings" table
lists the same variables; tests/unit/test_settings.py keeps the two in step and greps the package
for stray reads. Standard library only: the run-time half imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wasmimage.errors import InvalidInput

DEFAULT_SOURCE_DATE_EPOCH = "0"  # the image's file times, build paths' timestamps: constant unless set


def _path(value: str) -> Path | None:
    return Path(value) if value else None


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


def _text(value: str) -> str | None:
    return value or None


def _flag(value: str) -> bool:
    return value not in ("", "0")


@dataclass(frozen=True)
class Variable:
    name: str
    field: str
    parse: Callable[[str], Any]  # a non-empty value to the field's type (which differs by field)
    meaning: str


# name, Settings field, parser, meaning (README's table says the same, with defaults)
VARIABLES = (
    Variable("WASMIMAGE_CACHE_DIR", "source_cache", _path, "content-addressed source cache"),
    Variable("WASMIMAGE_MIRRORS", "mirrors", _words, "directories or http(s) base URLs tried before upstream"),
    Variable("WASMIMAGE_DEBIAN_ARCHIVES", "debian_archives", _words, "Debian archives for debian-source pins"),
    Variable("WASMIMAGE_CRATE_INDEX", "crate_index", _text, "the sparse crate index `outdated` reads"),
    Variable("WASMIMAGE_VENDOR_CARGO", "vendor_cargo", _text, "the cargo that vendors crates in the fetch stage"),
    Variable("WASMIMAGE_WORK_DIR", "work_dir", _path, "scratch build trees"),
    Variable("WASMIMAGE_TOOLCHAIN_PROVIDER", "toolchain_provider", _text, "force one provider of every toolchain"),
    Variable("WASMIMAGE_ACCEPT_TOOLCHAIN_DRIFT", "accept_toolchain_drift", _flag,
             "build with installed package versions other than the pins (recorded)"),
    Variable("WASMIMAGE_UNSANDBOXED_BUILDS", "unsandboxed_builds", _flag,
             "build commands run without the bubblewrap sandbox (sandbox.py)"),
    Variable("SOURCE_DATE_EPOCH", "source_date_epoch", str, "the one time built into images"),
    Variable("WASMIMAGE_ARTIFACT_CACHE", "artifact_cache", _path, "local cache of stage outputs"),
    Variable("WASMIMAGE_CACHE_REGISTRY", "cache_registry", _text, "remote cache of stage outputs (host:port/ns)"),
    Variable("WASMIMAGE_CACHE_KEY", "cache_key", _text, "the secret that seals cache entries"),
    Variable("WASMIMAGE_CACHE_KEY_FILE", "cache_key_file", _path, "a file holding that secret"),
    Variable("WASMIMAGE_REGISTRY", "registry", _text, "where `publish` pushes (host:port/namespace)"),
    Variable("WASMIMAGE_REGISTRY_TOKEN", "registry_token", _text, "bearer token for the registry"),
    Variable("WASMIMAGE_REGISTRY_USER", "registry_user", _text, "user name for the registry"),
    Variable("WASMIMAGE_REGISTRY_PASSWORD", "registry_password", _text, "password for the registry"),
    Variable("WASMIMAGE_SIGNING_KEY", "signing_key", _path, "OpenSSH Ed25519 key `publish` signs with"),
    Variable("WASMIMAGE_TRUSTED_KEYS", "trusted_keys", _path, "allowed_signers file: whose .cwasm to load"),
    Variable("WASMIMAGE_NATIVE_CACHE", "native_cache", _path, "record of .cwasm files made or trusted here"),
    Variable("WASMIMAGE_OCI_CACHE", "oci_cache", _path, "content-addressed cache of pulled images"),
)


@dataclass(frozen=True)
class Settings:
    source_cache: Path | None = None
    mirrors: tuple[str, ...] = ()
    debian_archives: tuple[str, ...] = ()
    crate_index: str | None = None
    vendor_cargo: str | None = None
    work_dir: Path | None = None
    toolchain_provider: str | None = None
    accept_toolchain_drift: bool = False
    unsandboxed_builds: bool = False
    source_date_epoch: str = DEFAULT_SOURCE_DATE_EPOCH
    artifact_cache: Path | None = None
    cache_registry: str | None = None
    cache_key: str | None = None
    cache_key_file: Path | None = None
    registry: str | None = None
    registry_token: str | None = None
    registry_user: str | None = None
    registry_password: str | None = None
    signing_key: Path | None = None
    trusted_keys: Path | None = None
    native_cache: Path | None = None
    oci_cache: Path | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        values = {v.field: v.parse(environ[v.name]) for v in VARIABLES if environ.get(v.name)}
        epoch = values.get("source_date_epoch", DEFAULT_SOURCE_DATE_EPOCH)
        if not epoch.isdigit():
            raise InvalidInput(f"SOURCE_DATE_EPOCH={epoch!r}: not a whole number of seconds")
        return cls(**values)

