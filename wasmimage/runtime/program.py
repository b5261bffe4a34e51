"""A Program: an image's interpreter, deserialized once and kept, and how to hand it a script."""

from __future__ import annotations

import tempfile
import threading
import weakref
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from wasmimage import files
from wasmimage.errors import InvalidInput, Tampered
from wasmimage.runtime import native
from wasmimage.runtime.engine import AOT_CONFIG, FUEL_CONFIG, AotConfig
from wasmimage.runtime.image import Image
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.runtime.snapshot_abi import ABI_VERSION, COMMAND_ABI, call_abi, export_problem


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
                     digests: Mapping[str, Mapping[str, Any]] | None = None, snapshot: bool = False,
                     preloaded: Mapping[str, int] | None = None, config: AotConfig = AOT_CONFIG) -> Program:
    """A Program from a recipe's or image's `run` section.

    The files `run.mounts` names are copied from files_dir into a private directory per guest
    path, so that the guest sees those files and nothing else beside them: each must be listed
    in `digests` (name -> {"sha256", "size"}), a regular file (never a link, FIFO or device), and is
    copied no further than its listed size, then checked. The copies go when the Program does;
    those of a process that was killed go at the next staging (files.owned_temp, sweep_stale).
    """
    owner = ExitStack()
    try:
        mounts = tuple((guest, str(_stage_mount(owner, guest, names, files_dir, digests or {})))
                       for guest, names in run.mounts)
    except BaseException:
        owner.close()
        raise
    program = Program(name, module, run.argv, run.script_name, run.out_of_memory_exit_code,
                      mounts, snapshot, dict(preloaded or {}), config)
    weakref.finalize(program, owner.close)
    return program


MOUNT_DIR_PREFIX = "wasmimage-mount-"


def _stage_mount(owner: ExitStack, guest: str, names: tuple[str, ...], files_dir: Path | None,
                 digests: Mapping[str, Mapping[str, Any]]) -> Path:
    """A private directory, held while `owner` is open, with checked copies of the files `names`."""
    tmp = Path(tempfile.gettempdir())
    files.sweep_stale(tmp, MOUNT_DIR_PREFIX)
    host = owner.enter_context(files.owned_temp(tmp, MOUNT_DIR_PREFIX, is_dir=True))
    for file_name in names:
        listed = digests.get(file_name) or {}
        size, expected = listed.get("size"), listed.get("sha256")
        if files_dir is None or not isinstance(size, int) or not isinstance(expected, str):
            raise InvalidInput(f"{file_name}: not listed with its size and sha256 among the image's files; "
                               f"refusing to mount it at {guest}")
        with files.open_regular(files_dir / file_name) as source:
            copied = files.copy_capped(source, host / file_name, size)
        if copied != size or files.sha256_file(host / file_name) != expected:
            raise Tampered(f"{files_dir / file_name}: does not match its recorded size {size} and sha256 {expected}; "
                           f"refusing to mount it at {guest}")
    return host


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
            functions = call_abi(bool(preloaded)) if snapshot else COMMAND_ABI
            problem = export_problem(module, functions, memory=snapshot)
            if problem:
                raise InvalidInput(f"{image.file(role)}: {problem}; refusing to run it")
            _programs[key] = program_from_run(image.name, module, image.run, image.path,
                                              image.manifest["files"], snapshot, preloaded, config)
        return _programs[key]
