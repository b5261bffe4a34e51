"""An image modified after it was written is refused before any of its native code is loaded.

Uses the real QuickJS image (built once with `doit build:quickjs` if the checkout has none)
and tampers with a copy of it in tmp_path. The .cwasm is native code that wasmtime maps
and runs as is, so every refusal here must happen before `wasmtime.Module.deserialize`;
a spy on that function proves it was never reached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from wasmimage.errors import PipelineError, Stale, Tampered
from wasmimage.runtime import native, runner
from wasmimage.runtime.engine import engine, load, wasmtime_version
from wasmimage.runtime.image import MANIFEST, open_image


@pytest.fixture
def image(quickjs_image, tmp_path, monkeypatch) -> Path:
    """A private copy of the image to tamper with, whose .cwasm this machine made (as `doit build`
    records it: native.py), so that the runner loads the image's own .cwasm, checks and all."""
    monkeypatch.setenv("WASMIMAGE_NATIVE_CACHE", str(tmp_path / "native"))
    copy = Path(shutil.copytree(quickjs_image, tmp_path / "image"))
    opened = open_image(copy)
    for role in ("cwasm", "snapshot"):  # both, as the aot and snapshot stages record them
        native.trust(opened.sha256(role), native.NativeStore(tmp_path / "native"))
    return copy


@pytest.fixture
def deserialize_calls(monkeypatch) -> list:
    """Record every wasmtime.Module.deserialize call (and still do it)."""
    calls = []
    real = wasmtime.Module.deserialize

    def spy(engine, data):
        calls.append(len(data))
        return real(engine, data)

    monkeypatch.setattr(wasmtime.Module, "deserialize", staticmethod(spy))
    return calls


def manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text())


def write_manifest(path: Path, data: dict) -> None:
    (path / MANIFEST).write_text(json.dumps(data, indent=2))


def role_file(path: Path, role: str) -> Path:
    return path / manifest(path)["roles"][role]


def flip_byte(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    offset = len(data) // 2 if offset is None else offset
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def load_cwasm(path: Path) -> wasmtime.Module:
    """What every consumer does: open the image, then load its .cwasm by the manifest."""
    im = open_image(path)
    return load(im.file("cwasm"), im.sha256("cwasm"), im.manifest["engine"])


def test_untouched_copy_opens_loads_and_runs(image, deserialize_calls):
    """Control: the copy itself is fine, so each refusal below is due to its one change."""
    load_cwasm(image)
    assert len(deserialize_calls) == 1
    result = runner.run(image, 'print("hello from the copy")')
    assert result.outcome == "ok" and result.stdout == b"hello from the copy\n"


@pytest.mark.parametrize("role", ["cwasm", "wasm"])
@pytest.mark.parametrize("change", ["flip-one-bit", "truncate", "append", "empty"])
def test_modified_file_is_refused_by_open_image(image, deserialize_calls, role, change):
    target = role_file(image, role)
    if change == "flip-one-bit":
        flip_byte(target)
    elif change == "truncate":
        target.write_bytes(target.read_bytes()[:-4096])
    elif change == "append":
        target.write_bytes(target.read_bytes() + b"\0")
    else:
        target.write_bytes(b"")
    with pytest.raises(PipelineError) as err:
        open_image(image)
    message = str(err.value)
    assert str(target) in message and "does not match the manifest" in message
    assert "modified after it was written" in message
    assert deserialize_calls == []


@pytest.mark.parametrize("role", ["cwasm", "snapshot", "wikifunctions"])
def test_an_image_opened_by_path_is_checked_again_when_a_file_changes_behind_its_times(image, deserialize_calls,
                                                                                       role):
    """open_image gives an unchanged image again without hashing it; a change that keeps the file's
    size and restores its mtime still changes its ctime, so it is checked again and refused."""
    first = open_image(image)
    assert open_image(image) is first and open_image(str(image)) is first
    target = role_file(image, role)
    times = os.stat(target)
    flip_byte(target, offset=200)
    os.utime(target, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert os.stat(target).st_size == times.st_size
    with pytest.raises(Tampered, match="modified after it was written"):
        open_image(image)
    with pytest.raises(Tampered):
        runner.run(image, 'print("x")')
    assert deserialize_calls == []


def test_modified_cwasm_is_refused_by_aot_load_before_deserializing(image, deserialize_calls):
    """engine.load checks on its own, on the very bytes it would deserialize (no open_image first)."""
    im = open_image(image)
    flip_byte(im.file("cwasm"))
    with pytest.raises(PipelineError) as err:
        load(im.file("cwasm"), im.sha256("cwasm"), im.manifest["engine"])
    assert "refusing to deserialize it" in str(err.value) and im.sha256("cwasm") in str(err.value)
    assert deserialize_calls == []


@pytest.mark.parametrize("role", ["snapshot", "cwasm"])
def test_modified_cwasm_is_refused_when_opened_earlier(image, deserialize_calls, role):
    """Swapped between open_image and the first run: the runner's load still refuses it (either path)."""
    im = open_image(image)
    flip_byte(im.file(role), offset=100)
    with pytest.raises(PipelineError, match="refusing to deserialize it"):
        runner.run_program(runner.load_program(im, snapshot=role == "snapshot"), b'print("x")')
    assert deserialize_calls == []


def test_other_valid_cwasm_in_its_place_is_refused(image, deserialize_calls):
    """A well-formed native module for this very engine, but not the one the manifest names."""
    other = wasmtime.Module(engine(), "(module (func (export \"_start\")))").serialize()
    role_file(image, "cwasm").write_bytes(other)
    with pytest.raises(PipelineError, match="does not match the manifest"):
        load_cwasm(image)
    assert deserialize_calls == []


def test_cli_refuses_a_modified_image(image, tmp_path):
    flip_byte(role_file(image, "cwasm"))
    script = tmp_path / "main.js"
    script.write_text('print("should not run")\n')
    result = subprocess.run([sys.executable, "-m", "wasmimage", "run", str(image), str(script)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == Tampered.exit_code
    assert "does not match the manifest" in result.stderr
    assert "should not run" not in result.stdout


def test_manifest_edited_to_match_a_missing_file_is_refused(image):
    (image / manifest(image)["roles"]["report"]).unlink()
    with pytest.raises(PipelineError, match="conformance-report.json is missing"):
        open_image(image)


# Names that leave the image directory


def _list_file(image: Path, name: str, content_of: Path, role: str = "cwasm") -> None:
    """Make the manifest name `name` for a role, with the correct digest of content_of."""
    data = manifest(image)
    data["files"][name] = {"sha256": hashlib.sha256(content_of.read_bytes()).hexdigest(),
                           "size": content_of.stat().st_size}
    data["roles"][role] = name
    write_manifest(image, data)


@pytest.mark.parametrize("name", ["../x", "../image/../x", "/etc/passwd", "sub/x", "sub/../quickjs.cwasm", ".", ""])
def test_manifest_naming_a_file_outside_the_image_is_refused(image, tmp_path, deserialize_calls, name):
    outside = tmp_path / "x"
    outside.write_bytes(role_file(image, "cwasm").read_bytes())  # correct bytes, wrong place
    (image / "sub").mkdir()
    shutil.copy(outside, image / "sub" / "x")
    content = Path("/etc/passwd") if name == "/etc/passwd" else outside
    _list_file(image, name, content)
    with pytest.raises(PipelineError) as err:
        load_cwasm(image)
    # a name with a / or a .. is not a file name (the schema); a symlink out is caught by location
    assert f"files: {name!r} is not valid: must be a plain file name" in str(err.value) or \
        f"files: {name!r} is outside the image directory; refusing it" in str(err.value)
    assert deserialize_calls == []


def test_symlink_out_of_the_image_is_refused(image, tmp_path, deserialize_calls):
    cwasm = role_file(image, "cwasm")
    outside = tmp_path / "elsewhere.cwasm"
    shutil.move(cwasm, outside)
    os.symlink(outside, cwasm)  # same bytes, so only the location can give it away
    with pytest.raises(PipelineError, match="outside the image directory"):
        load_cwasm(image)
    assert deserialize_calls == []


def test_role_naming_an_unlisted_file_is_refused(image, tmp_path):
    data = manifest(image)
    data["roles"]["cwasm"] = "other.cwasm"
    write_manifest(image, data)
    with pytest.raises(PipelineError, match=r"roles\.cwasm: 'other\.cwasm' is not listed in files"):
        open_image(image)


@pytest.mark.parametrize("broken", ["not json", "[]", '{"schema": 1}', '{"schema": 1, "files": [], "roles": {}}',
                                    '{"schema": 2}'])
def test_malformed_manifest_is_a_clear_error(image, broken):
    (image / MANIFEST).write_text(broken)
    with pytest.raises(PipelineError) as err:
        open_image(image)
    assert str(image / MANIFEST) in str(err.value)


# Another engine


@pytest.mark.parametrize("field, value, expected", [
    ("wasmtime", "49.0.0", "made by wasmtime 49.0.0, this is wasmtime " + wasmtime_version()),
    ("target", "aarch64-darwin", "native code for aarch64-darwin"),
    ("config.epoch_interruption", False, "compiled with engine config"),
    ("config.cranelift_opt_level", "none", "compiled with engine config"),
    ("config.max_wasm_stack", 1 << 20, "compiled with engine config"),
])
def test_manifest_recording_another_engine_is_refused(image, deserialize_calls, field, value, expected):
    data = manifest(image)
    holder = data["engine"]
    *parents, key = field.split(".")
    for parent in parents:
        holder = holder[parent]
    assert holder[key] != value
    holder[key] = value
    write_manifest(image, data)
    im = open_image(image)  # the files are intact: only the engine record differs
    with pytest.raises(Stale) as err:
        runner.load_program(im)
    assert expected in str(err.value) and "rebuild" in str(err.value)
    assert deserialize_calls == []
