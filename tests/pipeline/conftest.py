"""The checkout's images, built (or brought up to date) by doit when a test first asks for one."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.project import SOURCE_CACHE, built_image
from wasmimage.runtime.runner import load_program, run_program


@pytest.fixture(scope="session")
def quickjs_image() -> Path:
    """The repository's QuickJS image, up to date (a clean build takes about 35 s)."""
    return built_image("quickjs")


@pytest.fixture(scope="session")
def rustpython_image() -> Path:
    """The repository's RustPython image, up to date (a clean build takes tens of minutes)."""
    return built_image("rustpython")


@pytest.fixture(scope="session")
def source_cache(quickjs_image: Path) -> Path:
    """A filled source cache to share with project copies, so they need no network."""
    return SOURCE_CACHE


@pytest.fixture(params=["snapshot", "command"])
def path(request):
    """Each of an image's two paths: the snapshot calls start from, and its command."""
    return request.param


@pytest.fixture
def python(path):
    """python(image, source, **options): the source run on `path` (a test using it runs on both)."""
    def call(image, source, **options):
        return run_program(load_program(image, snapshot=path == "snapshot"), source.encode(), **options)
    return call
