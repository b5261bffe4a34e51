"""Faults mid-build: SIGKILL at every stage, and a full disk. Nothing half-built is ever used.

Kill tests copy the project to a temporary directory, run `doit build:quickjs` there in a
process group of its own, SIGKILL the whole group at a chosen point (during the fetch,
mid-compile, mid-AOT while the .cwasm is being written, while the image directory is
being written), check that every output that exists at that moment is complete, then
rerun to completion and compare every byte with an uninterrupted reference build.

Disk-full tests mount a small tmpfs (root only) and run the aot and image stages into it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers.flaky_server import Serve, Stall
from helpers.project import built_image, copy_project
from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.pipeline import provenance
from wasmimage.pipeline.aot import compile_wasm
from wasmimage.pipeline.fetch import PARTIAL, FetchSettings, fetch
from wasmimage.pipeline.image import assemble, image_dir
from wasmimage.pipeline.project import Project, StageOutputs
from wasmimage.pipeline.recipe import Source
from wasmimage.runtime.image import MANIFEST, open_image

REPO = Path(__file__).resolve().parents[2]
RECIPE = "quickjs"
STAGE_FILES = ("interpreter.wasm", "build-info.json", "interpreter.cwasm", "aot-info.json", "conformance-report.json")
LEFTOVER_MARKS = (".partial-", ".old-")


def build_env(cache: Path, mirrors: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WASMIMAGE_")}
    env.update(WASMIMAGE_CACHE_DIR=str(cache), PYTHONUNBUFFERED="1")
    if mirrors is not None:
        env["WASMIMAGE_MIRRORS"] = mirrors
    elif os.environ.get("WASMIMAGE_MIRRORS"):
        env["WASMIMAGE_MIRRORS"] = os.environ["WASMIMAGE_MIRRORS"]
    return env


class Build:
    """One `doit build:quickjs` run in a project copy, its output appended to build.log."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env = root, env
        self.log = root / "build.log"

    def start(self) -> subprocess.Popen:
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            return subprocess.Popen([sys.executable, "-m", "doit", f"build:{RECIPE}"], cwd=self.root, env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)  # its own process group: clang dies with it

    def output(self) -> str:
        """What the current run has logged so far."""
        with self.log.open("rb") as f:
            f.seek(self.log_offset)
            return f.read().decode(errors="replace")

    def run(self, timeout: float = 1800) -> None:
        process = self.start()
        try:
            code = process.wait(timeout=timeout)
        finally:
            _kill_group(process)
        assert code == 0, f"doit build:{RECIPE} failed ({code}):\n{self.output()[-5000:]}"

    def kill_when(self, condition: Callable[[], bool], what: str, settle: float = 0.0, timeout: float = 900) -> None:
        """Start a run and SIGKILL its process group once condition() holds (and `settle` s more)."""
        process = self.start()
        deadline = time.monotonic() + timeout
        try:
            while not condition():
                if process.poll() is not None:
                    pytest.fail(f"the build ended ({process.returncode}) before {what}:\n{self.output()[-5000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no {what} within {timeout}s:\n{self.output()[-5000:]}")
                time.sleep(0.0005)
            time.sleep(settle)
            assert process.poll() is None, f"the build ended before the kill {what}:\n{self.output()[-3000:]}"
        finally:
            _kill_group(process)

    @property
    def project(self) -> Project:
        return Project(self.root)

    @property
    def stage_dir(self) -> Path:
        return self.root / "artifacts" / "build" / RECIPE

    @property
    def image(self) -> Path:
        project = self.project
        return image_dir(project.images_dir, project.recipe(RECIPE))


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=60)
    try:  # children that outlived doit in the same group
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def image_snapshot(image: Path) -> dict[str, bytes]:
    """The image's reproducible files: all but the provenance, which records the run's times."""
    return {name: data for name, data in snapshot(image).items() if name != provenance.FILE_NAME}


def assert_provenance_attests(image: Path) -> None:
    """The provenance is complete JSON and names image.json by its digest."""
    statement = files.read_json(image / provenance.FILE_NAME)
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subjects[MANIFEST] == hashlib.sha256((image / MANIFEST).read_bytes()).hexdigest()


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if any(m in p.name for m in LEFTOVER_MARKS))


@pytest.fixture(scope="module")
def source_cache(tmp_path_factory) -> Path:
    """A source cache seeded from the checkout's (the reference build fills in what is missing).

    Its toolchains/ too: the engine profiles' wasmtime CLIs that scripts/setup installed (each
    checked for its pinned version on use). These tests interrupt the image's stages, not the
    tools; without them the reference build spent 10 minutes or more on `cargo install` of
    wasmtime 48's CLI."""
    cache = tmp_path_factory.mktemp("source-cache")
    for part in ("sha256", "git", "toolchains"):
        if (REPO / ".cache" / "sources" / part).is_dir():
            shutil.copytree(REPO / ".cache" / "sources" / part, cache / part,
                            ignore=shutil.ignore_patterns(f"{PARTIAL}*"))
    return cache


@pytest.fixture(scope="module")
def reference(tmp_path_factory, source_cache) -> dict[str, dict[str, bytes]]:
    """An uninterrupted build: the image files and the stage outputs, byte for byte."""
    build = Build(copy_project(tmp_path_factory.mktemp("reference") / "project"), build_env(source_cache))
    build.run()
    return {"image": image_snapshot(build.image), "stages": snapshot(build.stage_dir)}


def fresh_cache(source_cache: Path, dest: Path, without: str | None = None) -> Path:
    shutil.copytree(source_cache, dest)
    if without:
        (dest / "sha256" / without).unlink()
    return dest


def assert_outputs_complete(build: Build, reference: dict, when: str) -> None:
    """Whatever exists under its final name is complete: a stage output or the whole image."""
    for name in STAGE_FILES:
        path = build.stage_dir / name
        if path.exists():
            assert path.read_bytes() == reference["stages"][name], f"{when}: {name} exists but is not complete"
    if build.image.exists():
        assert image_snapshot(build.image) == reference["image"], \
            f"{when}: the image directory exists but is not complete"
        assert_provenance_attests(build.image)


def assert_identical_to_reference(build: Build, reference: dict) -> None:
    image = build.image
    manifest = files.read_json(image / MANIFEST)
    assert sorted(os.listdir(image)) == sorted([*manifest["files"], MANIFEST, manifest["provenance"]]), \
        "exactly the manifest's files, image.json and the provenance it names"
    assert_provenance_attests(image)
    got = image_snapshot(image)
    for name, data in reference["image"].items():
        assert got.get(name) == data, f"{name} differs from the uninterrupted build"
    assert got.keys() == reference["image"].keys()
    assert snapshot(build.stage_dir) == reference["stages"]
    open_image(image)
    assert leftovers(build.root / "artifacts") == [], "what killed runs left behind was cleaned up"


@pytest.mark.slow
def test_kill_during_fetch_then_resume(tmp_path, source_cache, reference, flaky_server):
    """The sdist comes from a mirror that sends half of it, then stalls; the build is killed there."""
    recipe = Project(REPO).recipe(RECIPE)
    source = recipe.sources[0]
    data = (source_cache / "sha256" / source.sha256).read_bytes()
    path = f"/mirror/{source.filename}"
    flaky_server.route(path, Stall(data, head=len(data) // 2, seconds=600), Serve(data))
    cache = fresh_cache(source_cache, tmp_path / "cache", without=source.sha256)
    build = Build(copy_project(tmp_path / "project"), build_env(cache, mirrors=flaky_server.url("/mirror")))

    def part_downloaded() -> bool:  # fetch writes whole 64 KiB chunks: wait for the first
        partials = list((cache / "sha256").glob(f"{PARTIAL}*"))
        return any(p.stat().st_size > 0 for p in partials)

    build.kill_when(part_downloaded, "part of the sdist arrived", settle=0.5)
    assert flaky_server.count(path) == 1
    assert not (cache / "sha256" / source.sha256).exists(), "a half-downloaded source is never a cache entry"
    assert [p.name for p in (cache / "sha256").glob(f"{PARTIAL}*")], "the killed fetch left its partial file"
    assert not (build.root / "artifacts").exists(), "nothing was built from it"

    build.run()
    assert flaky_server.count(path) == 2
    assert sorted(p.name for p in (cache / "sha256").iterdir()) == sorted(
        p.name for p in (source_cache / "sha256").iterdir()), "the partial file was swept; the entry is whole"
    assert (cache / "sha256" / source.sha256).read_bytes() == data
    assert_identical_to_reference(build, reference)


def _entries(directory: Path, prefix: str, nonempty: bool = False) -> list[Path]:
    try:
        found = [p for p in directory.iterdir() if p.name.startswith(prefix)]
    except FileNotFoundError:
        return []
    if nonempty:
        found = [p for p in found if p.is_dir() and any(p.iterdir())]
    return found


@pytest.mark.slow
def test_kill_mid_compile_mid_aot_and_mid_image_write_then_resume(tmp_path, source_cache, reference):
    build = Build(copy_project(tmp_path / "project"), build_env(fresh_cache(source_cache, tmp_path / "cache")))
    stage, image = build.stage_dir, build.image

    # 1. mid-compile: clang is running (quickjs.c alone takes several seconds)
    build.kill_when(lambda: f"[build {RECIPE}] $ " in build.output(), "the compile started", settle=2.0)
    assert not (stage / "interpreter.wasm").exists(), "killed mid-compile, yet a .wasm exists"
    assert_outputs_complete(build, reference, "after the kill mid-compile")

    # 2. mid-AOT, while the .cwasm is being written. doit records finished tasks only when a
    #    run ends, so each rerun runs the compile task again (restored from the artifact cache
    #    when the killed run got as far as storing it there).
    for attempt in range(10):  # noqa: B007 -- read after the loop: the attempt that got the kill
        build.kill_when(lambda: bool(_entries(stage, ".interpreter.cwasm.partial-")),
                        "the .cwasm write began")
        if not (stage / "aot-info.json").exists():
            break
        (stage / "interpreter.cwasm").unlink()
        (stage / "aot-info.json").unlink()
    else:
        pytest.fail("could not kill the AOT stage while it wrote the .cwasm")
    print(f"[kill] mid-.cwasm write on attempt {attempt + 1}")
    assert _entries(stage, ".interpreter.cwasm.partial-"), "the half-written .cwasm is there, under a temporary name"
    assert not (stage / "aot-info.json").exists()
    assert_outputs_complete(build, reference, "after the kill mid-.cwasm write")

    # 3. while the image directory is being written (after verify, which runs on the rerun)
    for attempt in range(10):  # noqa: B007 -- read after the loop: the attempt that got the kill
        build.kill_when(lambda: bool(_entries(image.parent, f".{image.name}.partial-", nonempty=True)),
                        "the image write began")
        if not image.exists():
            break
        shutil.rmtree(image)
    else:
        pytest.fail("could not kill the image stage while it wrote the image")
    print(f"[kill] mid-image write on attempt {attempt + 1}: "
          f"{[p.name for p in _entries(image.parent, '.' + image.name + '.partial-')]}")
    assert _entries(image.parent, f".{image.name}.partial-"), "the half-written image is there, under a temporary name"
    assert not image.exists(), "no image directory until it is complete"
    assert_outputs_complete(build, reference, "after the kill mid-image write")

    # 4. to completion: the same bytes as a build never interrupted, and no leftovers
    build.run()
    assert_identical_to_reference(build, reference)


# A full disk


@contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill up needs root")
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip() or result.returncode}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def stage_outputs(tmp_path_factory) -> StageOutputs:
    """A private copy of the checkout's quickjs stage outputs (built first if need be)."""
    built_image(RECIPE)
    project = Project(REPO)
    real = project.stage_outputs(project.recipe(RECIPE))
    copy = tmp_path_factory.mktemp("stages")
    fields = dataclasses.asdict(real)
    for path in fields.values():
        if path.is_file():  # quickjs mounts nothing: its mounted_dir does not exist, nor does the copy's
            shutil.copy(path, copy / path.name)
    return StageOutputs(**{name: copy / path.name for name, path in fields.items()})


def test_disk_full_in_the_source_cache(tmp_path, flaky_server):
    data = os.urandom(1 << 20)
    url = flaky_server.route("/demo-1.0.tar.gz", Serve(data))
    source = Source("demo", "url", url, hashlib.sha256(data).hexdigest(), None, "demo-1.0.tar.gz", None)
    with small_tmpfs(tmp_path / "cache", "256k") as cache:
        with pytest.raises(PipelineError) as err:
            fetch(source, FetchSettings(cache, attempts=2, backoff=0.01, timeout=5))
        assert "cannot store demo-1.0.tar.gz" in str(err.value) and "No space left on device" in str(err.value)
        assert [p.name for p in cache.rglob("*") if p.is_file()] == [], "no partial download is kept"
    assert flaky_server.count("/demo-1.0.tar.gz") == 1, "a full disk is not retried like a network error"


def test_disk_full_during_aot(tmp_path, stage_outputs):
    with small_tmpfs(tmp_path / "full", "1m") as full:  # the .cwasm is ~3 MB
        with pytest.raises(PipelineError) as err:
            compile_wasm(stage_outputs.wasm, full / "interpreter.cwasm", full / "aot-info.json")
        message = str(err.value)
        assert str(full / "interpreter.cwasm") in message
        assert "No space left on device" in message and "nothing was written" in message
        assert os.listdir(full) == [], "no .cwasm, no aot-info, no partial file"


def test_disk_full_while_writing_the_image(tmp_path, stage_outputs):
    project = Project(REPO)
    recipe = project.recipe(RECIPE)
    with small_tmpfs(tmp_path / "images", "2m") as images:  # the image's files are ~9 MB
        target = image_dir(images, recipe)
        with pytest.raises(PipelineError) as err:
            assemble(recipe, stage_outputs, target)
        message = str(err.value)
        assert str(target) in message
        assert "No space left on device" in message and "nothing was written" in message
        assert not target.exists()
        assert os.listdir(target.parent) == [], "no partial image directory either"


def test_disk_full_keeps_the_previous_image(tmp_path, stage_outputs):
    """Rebuilding over an existing image on a full disk leaves the old one intact and usable."""
    project = Project(REPO)
    recipe = project.recipe(RECIPE)
    with small_tmpfs(tmp_path / "images", "12m") as images:  # room for one image, not two
        target = image_dir(images, recipe)
        assemble(recipe, stage_outputs, target)
        before = snapshot(target)
        filler = images / "filler"
        with pytest.raises(OSError):  # fill the disk up
            with filler.open("wb") as f:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
        with pytest.raises(PipelineError, match="No space left on device"):
            assemble(recipe, stage_outputs, target)
        assert snapshot(target) == before
        assert sorted(os.listdir(target.parent)) == [target.name]
        open_image(target)
