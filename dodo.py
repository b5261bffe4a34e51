"""doit entry point: `doit list` shows the stages, `doit build` builds every image.

All logic lives in the wasmimage package; this file only wires tasks.
"""

import sys
from pathlib import Path

from wasmimage.errors import PipelineError
from wasmimage.pipeline import tasks
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.summary import SummaryReporter
from wasmimage.settings import Settings

DOIT_CONFIG = {
    "default_tasks": ["build"],
    "dep_file": ".doit.db",
    "backend": "sqlite3",
    "verbosity": 2,
    # Recipes are independent: one that cannot be built (say rustpython, offline without a
    # mirror) fails `doit build` but does not stop the others; tasks that depend on a failed
    # task still never run. `doit build:NAME` builds one.
    "continue": True,
    "reporter": SummaryReporter,  # ends with one line per image: built / cache hit / failed and why
}

try:
    PROJECT = Project(Path(__file__).resolve().parent, Settings.from_environ())  # read once, passed down
    PROJECT.recipes  # noqa: B018 -- the property reads and validates every recipe before any task runs
except PipelineError as exc:
    sys.exit(f"error: {exc}")


def task_fetch():
    """Fetch sources (sha256-verified, cached, mirrors first)."""
    yield from tasks.stage_tasks(PROJECT, "fetch")


def task_compile():
    """Build each recipe to a .wasm."""
    yield from tasks.stage_tasks(PROJECT, "compile")


def task_aot():
    """AOT-compile each .wasm to a .cwasm with wasmtime."""
    yield from tasks.stage_tasks(PROJECT, "aot")


def task_snapshot():
    """Pre-initialize each reactor build into a snapshot and AOT-compile it (recipes with `snapshot`)."""
    yield from tasks.stage_tasks(PROJECT, "snapshot")


def task_verify():
    """Run the conformance suites against each .cwasm."""
    yield from tasks.stage_tasks(PROJECT, "verify")


def task_image():
    """Write each verified image directory with image.json."""
    yield from tasks.stage_tasks(PROJECT, "image")


def task_build():
    """Everything: fetch, compile, aot, verify, image."""
    yield from tasks.build_tasks(PROJECT)


def task_publish():
    """Push each image as an OCI image to $WASMIMAGE_REGISTRY (host:port/namespace)."""
    yield from tasks.publish_tasks(PROJECT)


def task_outdated():
    """List every recipe and toolchain pin with the newest version its channel offers."""
    return tasks.outdated_task(PROJECT)
