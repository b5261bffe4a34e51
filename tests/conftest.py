"""Fixtures every tier may use: a scriptable HTTP server and a real OCI registry, both on loopback.

The tiers: tests/unit/ needs no built image and runs no doit (the image fixtures live in
tests/pipeline/conftest.py, out of its reach); tests/pipeline/ uses the images or runs doit,
and its `slow` tests build interpreters from source.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.flaky_server import FlakyServer
from helpers.registry import Registry, running_registry

UNIT = Path(__file__).resolve().parent / "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep the unit tier fast: a test that builds (marked slow) belongs in tests/pipeline/."""
    misplaced = [item.nodeid for item in items if item.path.is_relative_to(UNIT) and item.get_closest_marker("slow")]
    if misplaced:
        raise pytest.UsageError(f"slow tests in tests/unit/ (move them to tests/pipeline/): {', '.join(misplaced)}")


@pytest.fixture
def flaky_server() -> Iterator[FlakyServer]:
    server = FlakyServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """One anonymous registry shared by the session's tests."""
    with running_registry(tmp_path_factory.mktemp("registry")) as running:
        yield running
