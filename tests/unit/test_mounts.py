"""run.mounts: files of an image granted to the guest read-only, and nothing beside them.

Observed with the WASI probe (tests/fixtures/wasi-probe.wat), which prints, for each
preopened directory, what reading, writing and creating `secret.txt` / `new.txt` there and
escaping it with `..` gave.
"""

import gc
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
import wasmtime

from wasmimage.errors import InvalidInput, PipelineError
from wasmimage.files import owned_temp
from wasmimage.runtime.engine import engine
from wasmimage.runtime.run_spec import RunSpec
from wasmimage.runtime.runner import program_from_run, run_program

PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "wasi-probe.wat"
RUN = RunSpec.from_section({"argv": ["probe"], "script_name": "script.txt", "canary": "-",
                            "mounts": {"/usr/lib": ["secret.txt"], "/usr/lib/empty": []}})


@pytest.fixture(scope="module")
def module():
    return wasmtime.Module(engine(), PROBE.read_text())


@pytest.fixture
def image_files(tmp_path):
    """An image directory's files: the one mounted, and others that must stay out of sight."""
    image = tmp_path / "image"
    image.mkdir()
    (image / "secret.txt").write_text("stdlib")
    (image / "image.json").write_text("{}")
    return image


def digests(directory: Path) -> dict:
    return {p.name: {"sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "size": p.stat().st_size}
            for p in directory.iterdir()}


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temporary directory of this test's own for the staged copies, so that sweeping them (and
    counting them) never touches another process's."""
    staging = tmp_path / "tmp"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    return staging


def test_mounted_files_are_readable_not_writable_and_alone(module, image_files):
    program = program_from_run("probe", module, RUN, image_files, digests(image_files))
    result = run_program(program, b"")
    assert result.outcome == "ok", result.reason
    # by descriptor: the mounts first (a snapshot's init saw them there)
    assert result.stdout.decode().splitlines()[2:] == [
        "dir:/usr/lib read=stdlib write=denied create=denied escape=denied",
        "dir:/usr/lib/empty read=denied write=denied create=denied escape=denied",
        "dir:/script read=denied write=denied create=denied escape=denied",
    ]
    hosts = [Path(host) for _, host in program.mounts]
    assert [sorted(p.name for p in host.iterdir()) for host in hosts] == [["secret.txt"], []], \
        "the guest's directory holds the mounted file only, not the rest of the image"
    assert (image_files / "secret.txt").read_text() == "stdlib"
    del program, result
    gc.collect()
    assert not any(host.exists() for host in hosts), "the private copies go with the program"


def test_a_file_that_does_not_match_its_digest_is_never_mounted(module, image_files, private_tmp):
    recorded = digests(image_files)
    (image_files / "secret.txt").write_text("tampered")
    with pytest.raises(PipelineError) as err:
        program_from_run("probe", module, RUN, image_files, recorded)
    assert "secret.txt" in str(err.value) and "/usr/lib" in str(err.value)
    assert not list(private_tmp.iterdir()), "nothing staged is left behind"


def test_a_mounted_file_not_listed_is_refused_before_it_is_read(module, image_files, private_tmp):
    """Guards issue 24 item 7: before, an unlisted file was copied first and checked against no digest
    after (a link to /dev/zero filled the disk). Fails if an unlisted name is read at all."""
    recorded = digests(image_files)
    del recorded["secret.txt"]
    (image_files / "secret.txt").unlink()
    os.mkfifo(image_files / "secret.txt")  # would block (or fail) a copy, never a refusal by name
    with pytest.raises(InvalidInput, match="secret.txt: not listed with its size and sha256 among the image's "
                                           "files; refusing to mount it at /usr/lib"):
        program_from_run("probe", module, RUN, image_files, recorded)
    assert not list(private_tmp.iterdir())


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_listed_mount_that_is_not_a_regular_file_is_refused(module, image_files, private_tmp, tmp_path, kind):
    """Guards issue 24 item 7: a FIFO gave `wasmimage: error: None: None` (shutil's SpecialFileError), a
    link was followed wherever it led. Fails if either is opened as a file to copy."""
    recorded = digests(image_files)
    (image_files / "secret.txt").unlink()
    if kind == "fifo":
        os.mkfifo(image_files / "secret.txt")
    else:
        (tmp_path / "elsewhere.txt").write_text("stdlib")  # the same bytes: only the link is wrong
        (image_files / "secret.txt").symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(InvalidInput, match="secret.txt: (a FIFO|cannot open it \\(a symbolic link\\?\\))"):
        program_from_run("probe", module, RUN, image_files, recorded)
    assert not list(private_tmp.iterdir())


def test_a_mount_is_copied_no_further_than_its_listed_size(module, image_files, private_tmp):
    """Guards issue 24 item 7: a file grown (or replaced) after its listing was copied whole, then hashed.
    Fails if more than the listed size (and one byte) of it is read: /proc/self/io counts what we read."""
    recorded = digests(image_files)
    with open(image_files / "secret.txt", "ab") as grown:
        grown.truncate(64 << 20)  # sparse: 64 MiB to read, none to store
    before = _bytes_read()
    with pytest.raises(PipelineError, match="does not match its recorded size 6"):
        program_from_run("probe", module, RUN, image_files, recorded)
    assert _bytes_read() - before < 1 << 20


def _bytes_read() -> int:
    return int(dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())["rchar"])


def test_mount_copies_a_killed_process_left_are_swept(module, image_files, private_tmp):
    """Guards issue 24 item 15: `wasmimage-mount-*` copies (4 MB each with CPython's stdlib) stayed forever
    after a kill. Fails if staging does not remove an unheld leftover, or removes a held one."""
    left = private_tmp / "wasmimage-mount-killed"
    left.mkdir()
    (left / "secret.txt").write_text("old")
    with owned_temp(private_tmp, "wasmimage-mount-", is_dir=True) as live:
        program = program_from_run("probe", module, RUN, image_files, digests(image_files))
        assert not left.exists() and live.exists()
    assert len(list(private_tmp.iterdir())) == 2  # this program's two mounts
    del program
    gc.collect()
    assert not list(private_tmp.iterdir())
