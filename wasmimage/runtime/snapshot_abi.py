"""The snapshot ABI: the exports a pre-initialized interpreter offers the runner (docs/snapshot.md).

The build side (wasmimage/pipeline/snapshot.py) makes a snapshot and checks it has these; the runner
calls them. Both read the names from here.

Version 2 preloads several scripts (every protocol's executor), each into a slot:
  wasmimage_preload(call, filename_len, source_len) -> slot (>= 0), or < 0 if the script failed;
      build time only: runs the script's top level, which leaves a per-call entry behind
  wasmimage_run_preloaded(call, slot) -> exit code
      per call: only that entry runs (`call` holds only the captures)

A snapshot also exports its `memory`. A command (no snapshot) exports `_start`. export_problem checks a
module against these when the snapshot is made (snapshot.py) and when an image's module is loaded
(program.py), so an image's module of the wrong shape is refused by name, never half-called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import wasmtime

from wasmimage.errors import InvalidInput

INIT, ALLOC, RUN = "wasmimage_init", "wasmimage_alloc", "wasmimage_run"
PRELOAD, RUN_PRELOADED = "wasmimage_preload", "wasmimage_run_preloaded"
CAPTURES_SIZE = 32  # two captures of four u32 each (runtime/runner.py fills them)
ABI_VERSION = 2  # recorded in the image; the runner refuses a snapshot of another ABI
FunctionTypes = dict[str, tuple[list[str], list[str]]]  # export name -> (param types, result types)
ABI: FunctionTypes = {INIT: ([], []), ALLOC: (["i32"], ["i32"]), RUN: (["i32", "i32", "i32"], ["i32"])}
PRELOAD_ABI: FunctionTypes = {PRELOAD: (["i32", "i32", "i32"], ["i32"]), RUN_PRELOADED: (["i32", "i32"], ["i32"])}
COMMAND_ABI: FunctionTypes = {"_start": ([], [])}  # a WASI command, run when the image has no snapshot


def snapshot_abi(preload: bool) -> FunctionTypes:
    """The functions a reactor exports to be made a snapshot of: with `preload`, those that preload scripts too."""
    return {**ABI, **(PRELOAD_ABI if preload else {})}


def call_abi(preloaded: bool) -> FunctionTypes:
    """The functions a snapshot keeps for calls (init and preload ran when it was made, and are gone)."""
    return {ALLOC: ABI[ALLOC], RUN: ABI[RUN], **({RUN_PRELOADED: PRELOAD_ABI[RUN_PRELOADED]} if preloaded else {})}


def export_problem(module: wasmtime.Module, functions: Mapping[str, tuple[list[str], list[str]]],
                   memory: bool) -> str | None:
    """What `module` lacks: the first of `functions` (name -> (params, results)) it does not export with
    that type, or, with `memory`, an exported `memory`; None when it has them all."""
    exported = {export.name: export.type for export in module.exports}
    if memory and not isinstance(exported.get("memory"), wasmtime.MemoryType):
        return "must export its linear memory as `memory`, the snapshot ABI (wasmimage/runtime/snapshot_abi.py)"
    for name, (params, results) in functions.items():
        found = exported.get(name)
        if not isinstance(found, wasmtime.FuncType) or \
                ([str(p) for p in found.params], [str(r) for r in found.results]) != (params, results):
            return (f"must export {name}({', '.join(params)}) -> ({', '.join(results)}), the "
                    f"{'snapshot ABI (wasmimage/runtime/snapshot_abi.py)' if memory else 'WASI command entry'}")
    return None


_Extern = TypeVar("_Extern", wasmtime.Func, wasmtime.Memory, wasmtime.Global)


def typed_export(exports: Mapping[str, object], name: str, kind: type[_Extern]) -> _Extern:
    """The export `name` as a `kind`. export_problem vouched for the ABI's exports when the module was
    loaded (the snapshot stage's global probes are its own), so another kind here means a module that
    was not checked: refused, never called."""
    found = exports[name]
    if not isinstance(found, kind):
        raise InvalidInput(f"the export {name} is a {type(found).__name__}, not a {kind.__name__}")
    return found
