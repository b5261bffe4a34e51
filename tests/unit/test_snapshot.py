"""The snapshot stage (wasmimage/pipeline/snapshot.py) and calls through a snapshot.

The sandbox contract itself (deadlines, memory and output caps, isolation) is tested on
both of the image's paths by test_runner.py; here: the stage is reproducible, init cannot
depend on the build machine, every call starts from the snapshot (no state or random
sequence carried over), and the image records and uses it.
"""


import os
import struct

import pytest
import wasmtime

from wasmimage.errors import PipelineError
from wasmimage.pipeline.snapshot import snapshot
from wasmimage.runtime.snapshot_abi import ALLOC, INIT, RUN


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


def _file_reader(path: str, oflags: int = 0) -> bytes:
    """A reactor whose init opens `path` under the first mount, reads it to 4096 and stats it to 8192;
    its run export returns path_open's errno."""
    return wasmtime.wat2wasm(f"""(module
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "{path}")
      (global $errno (mut i32) (i32.const -1))
      (func (export "{INIT}")
        (global.set $errno (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const {len(path)})
                                       (i32.const {oflags}) (i64.const -1) (i64.const -1)
                                       (i32.const 0) (i32.const 200)))
        (if (i32.eqz (global.get $errno)) (then
          (i32.store (i32.const 300) (i32.const 4096)) (i32.store (i32.const 304) (i32.const 64))
          (drop (call $read (i32.load (i32.const 200)) (i32.const 300) (i32.const 1) (i32.const 208)))
          (drop (call $close (i32.load (i32.const 200))))
          (drop (call $stat (i32.const 3) (i32.const 0) (i32.const 100) (i32.const {len(path)}) (i32.const 8192))))))
      (func (export "{ALLOC}") (param i32) (result i32) (i32.const 1024))
      (func (export "{RUN}") (param i32 i32 i32) (result i32) (global.get $errno)))""")


def _run_snapshot(made: bytes) -> tuple[int, wasmtime.Memory, wasmtime.Store]:
    store = wasmtime.Store()
    linker = wasmtime.Linker(store.engine)
    linker.define_wasi()
    store.set_wasi(wasmtime.WasiConfig())
    exports = linker.instantiate(store, wasmtime.Module(store.engine, made)).exports(store)
    return exports[RUN](store, 0, 0, 0), exports["memory"], store


def test_init_reads_the_mounted_files_and_the_snapshot_keeps_no_trace_of_the_host(tmp_path):
    # Fails if init sees the host's stat (its inode and times differ per copy) or cannot read a mount.
    copies = []
    for name, mtime in (("one", 1_000_000), ("two", 2_000_000_000)):
        (tmp_path / name).mkdir()
        copy = tmp_path / name / "data.txt"
        copy.write_bytes(b"stdlib bytes")
        os.utime(copy, (mtime, mtime))
        copies.append(snapshot(_file_reader("data.txt"), "reader", mounts=(("/lib", (copy,)),)))
    assert copies[0] == copies[1]
    errno, memory, store = _run_snapshot(copies[0])
    assert errno == 0
    assert memory.read(store, 4096, 4108) == b"stdlib bytes"
    dev, inode, filetype, nlink, size, atim, mtim, ctim = struct.unpack("<QQB7xQQQQQ", memory.read(store, 8192, 8256))
    assert (filetype, size, atim, mtim, ctim) == (4, 12, 0, 0, 0)


@pytest.mark.parametrize(("path", "oflags", "errno"), [
    ("data.txt", 1, 69),  # O_CREAT: read-only
    ("data.txt", 8, 69),  # O_TRUNC
    ("new.txt", 1, 69),
    ("missing.txt", 0, 44),
    ("../etc/passwd", 0, 76),  # out of the mount
])
def test_init_cannot_write_create_or_leave_the_mounts(tmp_path, path, oflags, errno):
    (tmp_path / "data.txt").write_bytes(b"x")
    made = snapshot(_file_reader(path, oflags), "reader", mounts=(("/lib", (tmp_path / "data.txt",)),))
    assert _run_snapshot(made)[0] == errno


def test_without_mounts_init_finds_no_directory_to_open_files_in():
    # Fails if init without mounts could reach a directory (the build machine's, the caller's /script).
    assert _run_snapshot(snapshot(_file_reader("data.txt"), "reader"))[0] == 8  # EBADF: nothing preopened
