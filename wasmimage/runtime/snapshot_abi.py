"""The snapshot ABI: the exports a pre-initialized interpreter offers the runner (docs/snapshot.md).

The build side (wasmimage/snapshot.py) makes a snapshot and checks it has these; the runner
calls them. Both read the names from here.

Version 2 preloads several scripts (every protocol's executor), each into a slot:
  wasmimage_preload(call, filename_len, source_len) -> slot (>= 0), or < 0 if the script failed;
      build time only: runs the script's top level, which leaves a per-call entry behind
  wasmimage_run_preloaded(call, slot) -> exit code
      per call: only that entry runs (`call` holds only the captures)
"""

INIT, ALLOC, RUN = "wasmimage_init", "wasmimage_alloc", "wasmimage_run"
PRELOAD, RUN_PRELOADED = "wasmimage_preload", "wasmimage_run_preloaded"
CAPTURES_SIZE = 32  # two captures of four u32 each (runtime/runner.py fills them)
ABI_VERSION = 2  # recorded in the image; the runner refuses a snapshot of another ABI
ABI = {INIT: ([], []), ALLOC: (["i32"], ["i32"]), RUN: (["i32", "i32", "i32"], ["i32"])}
PRELOAD_ABI = {PRELOAD: (["i32", "i32", "i32"], ["i32"]), RUN_PRELOADED: (["i32", "i32"], ["i32"])}
