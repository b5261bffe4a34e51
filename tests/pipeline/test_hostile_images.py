"""Images and inputs as an attacker would hand them to the run side: each is refused by name, never
with a traceback and never by running what it brings (issue 24).

The untrusted images are the QuickJS image with a file replaced and image.json rewritten to match
(helpers.tampered): every digest checks out, so only the runner's other checks can stop them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from helpers.tampered import derived_image
from wasmimage.errors import InvalidInput
from wasmimage.runtime import runner


@pytest.fixture(autouse=True)
def untrusting_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A native store that trusts nothing: an image's modules are compiled here from its .wasm files."""
    monkeypatch.setenv("WASMIMAGE_NATIVE_CACHE", str(tmp_path / "native"))
    monkeypatch.delenv("WASMIMAGE_TRUSTED_KEYS", raising=False)
    return tmp_path / "native"


def module(exports: str) -> bytes:
    """A valid module importing nothing, exporting `exports` (WAT)."""
    return wasmtime.wat2wasm(f"(module {exports})")


MEMORY = '(memory (export "memory") 1)'
I32_FUNC = '(func (export "{}") (param i32) (result i32) (i32.const 0))'
SNAPSHOTS = {  # what the snapshot lacks: (its exports, the export the refusal must name)
    "no-alloc": (MEMORY + I32_FUNC.format("wasmimage_run"), "wasmimage_alloc(i32) -> (i32)"),
    "run-of-another-type": (MEMORY + I32_FUNC.format("wasmimage_alloc") + I32_FUNC.format("wasmimage_run"),
                            "wasmimage_run(i32, i32, i32) -> (i32)"),
    "memory-not-a-memory": ('(global (export "memory") i32 (i32.const 0))', "its linear memory as `memory`"),
}


@pytest.mark.parametrize("case", sorted(SNAPSHOTS))
def test_a_snapshot_without_the_abi_is_refused_by_the_export_it_lacks(quickjs_image, tmp_path, case):
    """Guards issue 24 item 10: the runner called the exports it expected and raised KeyError,
    AttributeError or IndexError for an untrusted image whose snapshot lacked them. Fails if the
    module is half-called, or refused without naming what it lacks."""
    exports, named = SNAPSHOTS[case]
    image = derived_image(quickjs_image, tmp_path / "image", {"snapshot_wasm": module(exports)})
    with pytest.raises(InvalidInput, match=r"quickjs-snapshot.cwasm: must export .*; refusing to run it") as refused:
        runner.run(image, "print(1)")
    assert named in str(refused.value)


def test_a_command_without_start_is_refused(quickjs_image, tmp_path):
    """The same for an image without a snapshot: its command must export _start() -> ()."""
    def without_snapshot(manifest: dict) -> None:
        for role in ("snapshot", "snapshot_wasm"):
            del manifest["files"][manifest["roles"].pop(role)]
        del manifest["snapshot"]

    image = derived_image(quickjs_image, tmp_path / "image", {"wasm": module(MEMORY)}, without_snapshot)
    with pytest.raises(InvalidInput, match=r"quickjs.cwasm: must export _start\(\) -> \(\), the WASI command entry"):
        runner.run(image, "print(1)")
