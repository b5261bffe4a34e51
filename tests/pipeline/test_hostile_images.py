"""Images and inputs as an attacker would hand them to the run side: each is refused by name, never
with a traceback and never by running what it brings (issue 24).

The untrusted images are the QuickJS image with a file replaced and image.json rewritten to match
(helpers.tampered): every digest checks out, so only the runner's other checks can stop them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from helpers.tampered import derived_image
from wasmimage.errors import InvalidInput
from wasmimage.runtime import runner
from wasmimage.runtime.image import MANIFEST


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
# The image's own snapshot .cwasm is what this machine makes of its .wasm (so a store that compiled that
# once trusts it): replaced, the runner must compile the snapshot's .wasm, the module under test
UNTRUSTED_SNAPSHOT = {"snapshot": b"not the snapshot's native code"}
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
    image = derived_image(quickjs_image, tmp_path / "image", {"snapshot_wasm": module(exports), **UNTRUSTED_SNAPSHOT})
    with pytest.raises(InvalidInput, match=r"quickjs-snapshot.cwasm: must export .*; refusing to run it") as refused:
        runner.run(image, "print(1)")
    assert named in str(refused.value)


def test_a_command_without_start_is_refused(quickjs_image, tmp_path):
    """The same for an image without a snapshot: its command must export _start() -> ()."""
    def without_snapshot(manifest: dict) -> None:
        for role in ("snapshot", "snapshot_wasm"):
            del manifest["files"][manifest["roles"].pop(role)]
        del manifest["snapshot"]

    image = derived_image(quickjs_image, tmp_path / "image", {"wasm": module(MEMORY), "cwasm": b"not native code"},
                          without_snapshot)
    with pytest.raises(InvalidInput, match=r"quickjs.cwasm: must export _start\(\) -> \(\), the WASI command entry"):
        runner.run(image, "print(1)")


# The command line over broken and hostile inputs: a clear message and a documented exit code, never a
# traceback (README: 2 malformed, 3 missing, 5 tampered, 125 a limit or the host ended the call, 1 the
# guest's error; any other code is the script's own).

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def edited(source: Path, dest: Path, edit=None, replace=None) -> Path:
    return derived_image(source, dest, replace, edit)


def broken_file(name_of_role: str, how: str):
    """An edit that leaves the file of `name_of_role` missing, a FIFO or a link out of the image (after
    image.json is rewritten, so its digest is of the file as it was)."""
    def after(image: Path) -> None:
        manifest = json.loads((image / MANIFEST).read_text())
        path = image / manifest["roles"][name_of_role]
        path.unlink()
        if how == "fifo":
            os.mkfifo(path)
        elif how == "link":
            path.symlink_to("/etc/hostname")
    return after


def image_case(make):
    """A case whose image is made by make(quickjs_image, dest) and is then run with a small script."""
    return lambda quickjs, tmp: (["run", str(make(quickjs, tmp / "image")), str(tmp / "main.js")], b"", {})


def with_manifest(data: bytes):
    def make(quickjs: Path, dest: Path) -> Path:
        image = Path(shutil.copytree(quickjs, dest))
        (image / MANIFEST).write_bytes(data)
        return image
    return make


def without_manifest(quickjs: Path, dest: Path) -> Path:
    return Path(shutil.copytree(quickjs, dest, ignore=shutil.ignore_patterns(MANIFEST)))


def with_garbage_signature(quickjs: Path, dest: Path) -> Path:
    image = Path(shutil.copytree(quickjs, dest))
    (image / "image.json.sig").write_text("not a signature")
    return image


def with_manifest_fifo(quickjs: Path, dest: Path) -> Path:
    image = Path(shutil.copytree(quickjs, dest))
    (image / MANIFEST).unlink()
    os.mkfifo(image / MANIFEST)
    return image


def with_sparse(name: str):
    def make(quickjs: Path, dest: Path) -> Path:
        image = Path(shutil.copytree(quickjs, dest))
        with open(image / name, "wb") as f:
            f.truncate(64 << 20)
        return image
    return make


def with_edit(edit=None, replace=None, after=None):
    def make(quickjs: Path, dest: Path) -> Path:
        image = edited(quickjs, dest, edit, replace)
        if after is not None:
            after(image)
        return image
    return make


def tampered(quickjs: Path, dest: Path) -> Path:
    image = Path(shutil.copytree(quickjs, dest))
    (image / "executor.js").write_text("print('changed')")
    return image


def deep_sbom(quickjs: Path, tmp: Path):
    image = edited(quickjs, tmp / "image", replace={"sbom": DEEP_JSON})
    return ["inspect", str(image)], b"", {}


def list_sbom(quickjs: Path, tmp: Path):
    image = edited(quickjs, tmp / "image", replace={"sbom": b"[]"})
    return ["inspect", str(image)], b"", {}


def call_request(data: bytes, *flags: str):
    return lambda quickjs, tmp: (["call", str(quickjs), *flags], data, {})


def run_exiting(code: int):
    def case(quickjs: Path, tmp: Path):
        (tmp / "exit.js").write_text(f"host.exit({code});")
        return ["run", str(quickjs), str(tmp / "exit.js")], b"", {}
    return case


def signed_with_huge_signature(quickjs: Path, tmp: Path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "b", "-f", str(tmp / "key")], check=True)
    (tmp / "allowed").write_text("b " + " ".join((tmp / "key.pub").read_text().split()[:2]) + "\n")
    image = with_sparse("image.json.sig")(quickjs, tmp / "image")
    return ["run", str(image), str(tmp / "main.js")], b"", {"WASMIMAGE_TRUSTED_KEYS": str(tmp / "allowed")}


def deep_layout(quickjs: Path, tmp: Path):
    (tmp / "layout").mkdir()
    (tmp / "layout" / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (tmp / "layout" / "index.json").write_bytes(DEEP_JSON)
    return ["pull", f"oci-layout:{tmp / 'layout'}:1.0"], b"", {}


WIKI = ["--protocol", "wikifunctions"]
CASES = {  # name: (make(quickjs_image, tmp) -> (argv, stdin, env), the exit codes it may end with)
    "no image.json": (image_case(without_manifest), {3}),
    "image.json not JSON": (image_case(with_manifest(b"{")), {2}),
    "image.json nested 100,000 deep": (image_case(with_manifest(DEEP_JSON)), {2}),
    "image.json nested 900 deep": (
        image_case(with_manifest(b'{"schema": 1, "name": ' + b"[" * 900 + b"]" * 900 + b"}")), {2}),
    "image.json a FIFO": (image_case(with_manifest_fifo), {2}),
    "image.json 64 MiB": (image_case(with_sparse(MANIFEST)), {2}),
    "image.json.sig 64 MiB, keys trusted": (signed_with_huge_signature, {0}),  # counts for nothing: .wasm compiled
    "image.json.sig garbage": (image_case(with_garbage_signature), {0}),
    "a file tampered with": (image_case(tampered), {5}),
    "a listed file missing": (image_case(with_edit(after=broken_file("executor", "missing"))), {3}),
    "a listed file a FIFO": (image_case(with_edit(after=broken_file("executor", "fifo"))), {2}),
    "a listed file a link out": (image_case(with_edit(after=broken_file("executor", "link"))), {5}),
    "schema-invalid image.json": (image_case(with_edit(edit=lambda m: m.pop("roles"))), {2}),
    "a mount image.json does not list": (
        image_case(with_edit(edit=lambda m: m["run"].update(mounts={"/lib": ["zero"]}))), {2}),
    "a snapshot without the ABI": (
        image_case(with_edit(replace={"snapshot_wasm": module(MEMORY), **UNTRUSTED_SNAPSHOT})), {2}),
    "a snapshot of another ABI version": (image_case(with_edit(edit=lambda m: m["snapshot"].update(abi=99))), {0}),
    "preloaded slots out of range": (lambda q, t: (["call", str(with_edit(edit=lambda m: m["snapshot"].update(
        preloaded={k: 2**31 - 1 for k in m["snapshot"]["preloaded"]}))(q, t / "image")), "--protocol", "wikifunctions"],
        b'{"codeString": "function Z1000() { return \\"x\\"; }", "functionName": "Z1000"}', {}), {0, 1, 125}),
    "an SBOM nested 100,000 deep": (deep_sbom, {0, 2}),
    "an SBOM that is a list": (list_sbom, {0, 2}),
    "call: not JSON": (call_request(b"{"), {2}),
    "call: nested 100,000 deep": (call_request(b'{"function": "", "name": "f", "args": ' + DEEP_JSON + b"}"), {2}),
    "call: not an object": (call_request(b"[1]"), {125}),
    "wikifunctions: nested 100,000 deep": (
        call_request(b'{"codeString": "", "functionName": "Z1", "x": ' + DEEP_JSON + b"}", *WIKI), {1, 125}),
    "wikifunctions: not UTF-8": (call_request(b'{"codeString": "\xff\xfe", "functionName": "Z1000"}', *WIKI), {1, 125}),
    "wikifunctions: empty": (call_request(b"", *WIKI), {1, 125}),
    "wikifunctions: --canonical on nothing": (call_request(b"\n\n", *WIKI, "--canonical"), {1, 125}),
    "run: exit 200": (run_exiting(200), {200}),
    "run: exit 256": (run_exiting(256), {1}),
    "run: no such script": (lambda q, t: (["run", str(q), str(t / "missing.js")], b"", {}), {3}),
    "pull: no such layout": (lambda q, t: (["pull", f"oci-layout:{t / 'none'}:1.0"], b"", {}), {3}),
    "pull: index.json nested 100,000 deep": (deep_layout, {2}),
    "pull: not a reference": (lambda q, t: (["pull", "Registry.example/UPPER:tag"], b"", {}), {2}),
    "inspect: no such directory": (lambda q, t: (["inspect", str(t / "none")], b"", {}), {2}),
}


@pytest.fixture(scope="module")
def shared_native_cache(tmp_path_factory) -> Path:
    """One store for every case: each untrusted image's .wasm is compiled once for the whole run."""
    return tmp_path_factory.mktemp("native")


@pytest.mark.parametrize("name", list(CASES))
def test_the_cli_over_hostile_input_never_shows_a_traceback(quickjs_image, tmp_path, shared_native_cache, name):
    """Guards issue 24's last point: a hostile-input run of run, call, inspect and pull. Fails if any case
    prints a traceback, or ends with an exit code the README does not give it."""
    make, codes = CASES[name]
    (tmp_path / "main.js").write_text("print(1)")
    argv, stdin, env = make(quickjs_image, tmp_path)
    env = {**{k: v for k, v in os.environ.items() if k != "WASMIMAGE_TRUSTED_KEYS"},
           "WASMIMAGE_NATIVE_CACHE": str(shared_native_cache), "WASMIMAGE_OCI_CACHE": str(tmp_path / "oci"), **env}
    done = subprocess.run([sys.executable, "-m", "wasmimage", *argv], input=stdin, cwd=tmp_path, env=env,
                          capture_output=True, timeout=300)
    stderr = done.stderr.decode(errors="replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert done.returncode in codes, (done.returncode, stderr[-2000:])
