"""A Program: an image's interpreter, deserialized once and kept, and how to hand it a script."""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import wasmtime

from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.runtime import native
from wasmimage.runtime.engine import AOT_CONFIG, FUEL_CONFIG, AotConfig
from wasmimage.runtime.image import Image
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.runtime.snapshot_abi import ABI_VERSION


@dataclass(frozen=True)
class Program:
    """A deserialized interpreter and how to hand it a script."""

    name: str
    module: wasmtime.Module
    argv: tuple[str, ...]  # "{script}" is replaced by the script's guest path
    script_name: str
    out_of_memory_exit_code: int | None = None
    mounts: tuple[tuple[str, str], ...] = ()  # (guest directory, host directory), granted read-only
    # A pre-initialized snapshot (snapshot.py): the script goes through its ABI, not argv and a file
    snapshot: bool = False
    # The scripts the snapshot prepared at build time (the protocols' executors): sha256 -> slot
    preloaded: Mapping[str, int] = field(default_factory=dict)
    config: AotConfig = AOT_CONFIG  # the engine `module` was made for (FUEL_CONFIG: fuel is metered)


def program_from_run(name: str, module: wasmtime.Module, run: RunSpec, files_dir: Path | None = None,
                     digests: Mapping[str, Mapping[str, str]] | None = None, snapshot: bool = False,
                     preloaded: Mapping[str, int] | None = None, config: AotConfig = AOT_CONFIG) -> Program:
    """A Program from a recipe's or image's `run` section.

    The files `run.mounts` names are taken from files_dir, checked against `digests` (name ->
    {"sha256": ...}) and copied into a private directory per guest path, so that the guest
    sees those files and nothing else beside them; the copies go when the Program does.
    """
    mounts, staged = [], []
    for guest, names in run.mounts:
        host = Path(tempfile.mkdtemp(prefix="wasmimage-mount-"))
        staged.append(host)
        for file_name in names:
            expected = (digests or {}).get(file_name, {}).get("sha256")
            shutil.copyfile(files_dir / file_name, host / file_name)
            if files.sha256_file(host / file_name) != expected:
                for path in staged:
                    shutil.rmtree(path, ignore_errors=True)
                raise PipelineError(f"{files_dir / file_name}: does not match its recorded sha256 {expected}; "
                                    f"refusing to mount it at {guest}")
        mounts.append((guest, str(host)))
    program = Program(name, module, run.argv, run.script_name, run.out_of_memory_exit_code,
                      tuple(mounts), snapshot, dict(preloaded or {}), config)
    for path in staged:
        weakref.finalize(program, shutil.rmtree, path, True)
    return program


_programs: dict[tuple[str, str, bool], Program] = {}
_programs_lock = threading.Lock()


def load_program(image: Image, snapshot: bool = True, store: native.NativeStore | None = None,
                 fuel: bool = False) -> Program:
    """The image's interpreter (its .cwasm only if trusted in `store`: native.py), cached per process
    by path and digest.

    Its snapshot when it has one of this runner's ABI (and `snapshot`), else its command. With
    `fuel`, made for an engine that meters fuel (calls with Limits.fuel need one): the .wasm
    compiled here once (native.compiled keeps it), since the image's .cwasm is made without.
    """
    snapshot = snapshot and image.has("snapshot") and image.manifest.get("snapshot", {}).get("abi") == ABI_VERSION
    role = "snapshot" if snapshot else "cwasm"
    key = (str(image.path), image.sha256(role), fuel)
    with _programs_lock:
        if key not in _programs:
            config = FUEL_CONFIG if fuel else AOT_CONFIG
            module = native.module_for(image, native.given_or_environ(store), role, config)
            preloaded = image.manifest["snapshot"].get("preloaded") if snapshot else None
            _programs[key] = program_from_run(image.name, module, image.run, image.path,
                                              image.manifest["files"], snapshot, preloaded, config)
        return _programs[key]
