"""The snapshot stage (wasmimage/snapshot.py) and calls through a snapshot.

The sandbox contract itself (deadlines, memory and output caps, isolation) is tested on
both of the image's paths by test_runner.py; here: the stage is reproducible, init cannot
depend on the build machine, every call starts from the snapshot (no state or random
sequence carried over), and the image records and uses it.
"""


import pytest
import wasmtime

from wasmimage.errors import PipelineError
from wasmimage.runtime.snapshot_abi import ALLOC, INIT, RUN
from wasmimage.snapshot import snapshot


def _reactor(init_body: str) -> bytes:
    return wasmtime.wat2wasm(f"""(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      (memory (export "memory") 1)
      (global $state (mut i32) (i32.const 0))
      (func (export "{INIT}") {init_body})
      (func (export "{ALLOC}") (param i32) (result i32) (i32.const 1024))
      (func (export "{RUN}") (param i32 i32 i32) (result i32) (global.get $state)))""")


def test_init_state_lands_in_data_and_globals():
    made = snapshot(_reactor("(i32.store (i32.const 4096) (i32.const 0x2a)) (global.set $state (i32.const 7))"
                             "(drop (call $clock (i32.const 0) (i64.const 0) (i32.const 64)))"), "tiny")
    store = wasmtime.Store()
    linker = wasmtime.Linker(store.engine)
    linker.define_wasi()
    store.set_wasi(wasmtime.WasiConfig())
    exports = linker.instantiate(store, wasmtime.Module(store.engine, made)).exports(store)
    assert exports[RUN](store, 0, 0, 0) == 7
    assert exports["memory"].read(store, 4096, 4097) == b"\x2a"


def test_init_may_not_write_output():
    with pytest.raises(PipelineError, match="fd_write"):
        snapshot(_reactor("(drop (call $write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))"), "tiny")


def test_a_reactor_without_the_abi_is_refused():
    module = wasmtime.wat2wasm('(module (memory (export "memory") 1) (func (export "wasmimage_init")))')
    with pytest.raises(PipelineError, match="wasmimage_alloc"):
        snapshot(module, "bare.wasm")
