"""The snapshot ABI: the exports a pre-initialized interpreter offers the runner (docs/snapshot.md).

The build side (wasmimage/snapshot.py) makes a snapshot and checks it has these; the runner
calls them. Both read the names from here.
"""

INIT, ALLOC, RUN = "wasmimage_init", "wasmimage_alloc", "wasmimage_run"
PRELOAD, RUN_PRELOADED = "wasmimage_preload", "wasmimage_run_preloaded"
CAPTURES_SIZE = 32  # two captures of four u32 each (runtime/runner.py fills them)
ABI_VERSION = 1  # recorded in the image; the runner refuses a snapshot of another ABI
ABI = {INIT: ([], []), ALLOC: (["i32"], ["i32"]), RUN: (["i32", "i32", "i32"], ["i32"])}
PRELOAD_ABI = {PRELOAD: (["i32", "i32", "i32"], ["i32"]), RUN_PRELOADED: (["i32"], ["i32"])}
