"""Native code as an attacker would plant it: a .cwasm this engine accepts."""

from __future__ import annotations


def cwasm_printing(text: bytes) -> bytes:
    """A valid .cwasm for this engine that prints text and exits 0: what injected native code
    looks like to wasmtime (if a test's output shows the text, the planted code ran)."""
    import wasmtime

    from wasmimage.runtime.engine import engine

    data = "".join(f"\\{b:02x}" for b in text)
    wat = f"""(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "{data}")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const {len(text)}))
        (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""
    return wasmtime.Module(engine(), wat).serialize()
