"""Run settings (full or --quick) and the shared context every measurement gets."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from wasmimage.pipeline.image import image_dir
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.recipe import Recipe
from wasmimage.runtime.image import Image, open_image
from wasmimage.runtime.runner import Limits, Program, load_program
from wasmimage.runtime.wikifunctions import canonical
from wasmimage.settings import Settings as Environment

ROOT = Path(__file__).resolve().parent.parent
RECIPE = "quickjs"
HELLO = b'print("hi")'  # JavaScript and Python alike

# A trivial Wikifunctions request: `add` of two strings, in each image language.
ADD_CODE = {
    "javascript": "function Z1000(Z1000K1, Z1000K2) { return Z1000K1 + Z1000K2; }",
    "python": "def Z1000(Z1000K1, Z1000K2):\n    return Z1000K1 + Z1000K2\n",
}
ADD_RESULT = "wikifunctions"


def add_request(language: str) -> dict[str, Any]:
    return {"codeString": ADD_CODE[language], "functionName": "Z1000",
            "functionArguments": {"Z1000K1": {"Z1K1": "Z6", "Z6K1": "wiki"},
                                  "Z1000K2": {"Z1K1": "Z6", "Z6K1": "functions"}}}


def check_add(where: str, z22: dict[str, Any]) -> None:
    """A benchmark that measures a wrong answer measures nothing: stop."""
    if canonical(z22.get("Z22K1")) != ADD_RESULT:
        raise RuntimeError(f"{where}: the add request gave {json.dumps(z22)[:500]}")


@dataclass(frozen=True)
class Settings:
    quick: bool
    warmup: int  # untimed runs before every timed series
    reps: int  # repetitions of fast measurements (milliseconds each)
    slow_reps: int  # repetitions of slow ones (a JIT compile, a fresh process)
    rounds: int  # steady state: interleaved rounds over every side
    inscript_reps: int  # steady state: timed iterations inside each script, after one warm-up iteration
    warm_window: float  # warm evaluator: seconds per window
    warm_windows: int  # warm evaluator: windows per setting
    clean_builds: int  # pipeline: timed clean builds (0 skips them)
    noop_reps: int
    levers: bool  # build and measure the lever variants

    @classmethod
    def full(cls) -> Settings:
        return cls(quick=False, warmup=2, reps=30, slow_reps=5, rounds=3, inscript_reps=3, warm_window=2.0,
                   warm_windows=5, clean_builds=2, noop_reps=5, levers=True)

    @classmethod
    def quick_run(cls) -> Settings:
        return cls(quick=True, warmup=1, reps=5, slow_reps=2, rounds=1, inscript_reps=2, warm_window=0.3,
                   warm_windows=2, clean_builds=0, noop_reps=2, levers=False)


# Steady-state scripts run for seconds and build large inputs: generous, still finite limits.
WORKLOAD_LIMITS = Limits(timeout=600.0, memory_bytes=1 << 30, max_stdout_bytes=1 << 20)


@dataclass
class Context:
    root: Path
    settings: Settings
    image_path: Path | None = None  # default: the recipe's image under artifacts/images
    python_images: Path | None = None  # where <recipe>/<tag>/ of the Python images are; default: artifacts/images
    native_rustpython: bool = False  # build native RustPython (about 15 CPU-minutes) if it is not built yet
    environment: Environment = Environment()  # the WASMIMAGE_* settings (__main__ reads them once)
    _images: dict[str, tuple[Image | None, Path]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def project(self) -> Project:
        return Project(self.root, self.environment)

    @cached_property
    def recipe(self) -> Recipe:
        return self.project.recipe(RECIPE)

    @property
    def scratch(self) -> Path:
        path = self.root / "build" / "bench"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def image_of(self, name: str) -> tuple[Image | None, Path]:
        """A private copy of recipe `name`'s image, made once per run so a concurrent rebuild cannot change it
        mid-run (None if there is no image), and where the image was looked for."""
        if name not in self._images:
            if name == RECIPE:
                source = self.image_path or image_dir(self.project.images_dir, self.recipe)
            else:
                source = image_dir(self.python_images or self.project.images_dir, self.project.recipe(name))
            image = None
            if (source / "image.json").is_file():
                copy = self.scratch / ("image" if name == RECIPE else f"image-{name}")
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(source, copy)
                image = open_image(copy)
            self._images[name] = (image, source)
        return self._images[name]

    @cached_property
    def image(self) -> Image:
        """The QuickJS image (a private copy: image_of)."""
        image, source = self.image_of(RECIPE)
        if image is None:
            raise SystemExit(f"benchmarks: no image at {source}; build it first: doit build:{RECIPE}")
        return image

    @cached_property
    def program(self) -> Program:
        """What the runner calls: the image's snapshot if it has one."""
        return load_program(self.image, store=self.project.native_store)

    @cached_property
    def command_program(self) -> Program:
        """The image's plain `_start` command (no snapshot)."""
        return load_program(self.image, snapshot=False, store=self.project.native_store)
