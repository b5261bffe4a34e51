"""A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on 127.0.0.1.

Each registry gets a free port, its own storage directory and config file, and is stopped
(terminate, then kill) when the context ends. The `registry` fixture (tests/conftest.py) is one
shared by the session; `running_registry()` starts one with other settings (htpasswd or token auth).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

BINARY = "docker-registry"
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Registry:
    host: str  # "127.0.0.1:PORT", as it appears in an image reference
    storage: Path  # the filesystem driver's root directory
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def blob_data(self, digest: str) -> Path:
        """Where the filesystem driver keeps a blob's bytes (to corrupt it on purpose)."""
        hex_ = digest.removeprefix("sha256:")
        return self.storage / "docker/registry/v2/blobs/sha256" / hex_[:2] / hex_ / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(port: int, storage: Path, auth: str) -> str:
    return (
        "version: 0.1\n"
        "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: wasmimage-test-secret\n"
        f"{auth}"
    )


@contextmanager
def running_registry(workdir: Path, auth: str = "") -> Iterator[Registry]:
    """Start docker-registry with `auth` (a YAML `auth:` section, or nothing) and stop it afterwards."""
    if shutil.which(BINARY) is None:
        pytest.skip(f"{BINARY} is not installed (apt-get install -y docker-registry)")
    workdir.mkdir(parents=True, exist_ok=True)
    storage, config, log = workdir / "storage", workdir / "config.yml", workdir / "registry.log"
    storage.mkdir(exist_ok=True)
    port = free_port()
    config.write_text(_config(port, storage, auth), encoding="utf-8")
    with log.open("wb") as log_file:
        process = subprocess.Popen([BINARY, "serve", str(config)], stdout=log_file, stderr=subprocess.STDOUT)
    try:
        registry = Registry(f"127.0.0.1:{port}", storage, log)
        _wait_until_up(registry, process)
        yield registry
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(registry: Registry, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{BINARY} exited with {process.returncode}:\n{registry.log.read_text()}")
        try:
            if requests.get(f"{registry.url}/v2/", timeout=1).status_code in (200, 401):
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{BINARY} did not answer /v2/ within {START_TIMEOUT}s:\n{registry.log.read_text()}")
