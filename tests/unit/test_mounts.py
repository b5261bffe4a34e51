"""run.mounts: files of an image granted to the guest read-only, and nothing beside them.

Observed with the WASI probe (tests/fixtures/wasi-probe.wat), which prints, for each
preopened directory, what reading, writing and creating `secret.txt` / `new.txt` there and
escaping it with `..` gave.
"""

import gc
import hashlib
from pathlib import Path

import pytest
import wasmtime

from wasmimage.runtime.engine import engine
from wasmimage.errors import PipelineError
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
    (tmp_path / "secret.txt").write_text("stdlib")
    (tmp_path / "image.json").write_text("{}")
    return tmp_path


def digests(directory: Path) -> dict:
    return {p.name: {"sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in directory.iterdir()}


def test_mounted_files_are_readable_not_writable_and_alone(module, image_files):
    program = program_from_run("probe", module, RUN, image_files, digests(image_files))
    result = run_program(program, b"")
    assert result.outcome == "ok", result.reason
    assert result.stdout.decode().splitlines()[2:] == [  # by descriptor: the mounts first (a snapshot's init saw them there)
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


def test_a_file_that_does_not_match_its_digest_is_never_mounted(module, image_files, tmp_path):
    recorded = digests(image_files)
    (image_files / "secret.txt").write_text("tampered")
    before = set(Path("/tmp").glob("wasmimage-mount-*"))
    with pytest.raises(PipelineError) as err:
        program_from_run("probe", module, RUN, image_files, recorded)
    assert "secret.txt" in str(err.value) and "/usr/lib" in str(err.value)
    assert set(Path("/tmp").glob("wasmimage-mount-*")) <= before, "nothing staged is left behind"
