"""Self-check of the Python conformance suite (conformance/python/) against CPython.

Each case is a script NAME.py, its exact expected stdout NAME.out and optional
metadata NAME.yaml. The RustPython image is verified against these
expectations, so they have to be right: a failure there must mean "RustPython
differs from Python", never "the expectation was mistyped" or "the script
relies on something that is not Python". CPython is the reference
implementation, so every case is run here under the host's CPython in the same
sandbox-like conditions the image gets (isolated mode, empty environment, a
fresh empty working directory, only the declared stdin) and must produce
exactly the recorded stdout and exit code. Cases marked `known_difference` are
checked too: the mark only excuses RustPython, never the expectation.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SUITE = Path(__file__).resolve().parent.parent / "conformance" / "python"
CASES = sorted(path.stem for path in SUITE.glob("*.py"))
META_TYPES = {"exit_code": int, "stdin": str, "stderr_contains": str, "known_difference": str}
MIN_CASES = 30


def load_meta(name):
    path = SUITE / f"{name}.yaml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


@pytest.mark.parametrize("name", CASES)
def test_case_matches_cpython(name, tmp_path):
    meta = load_meta(name)
    script = shutil.copy(SUITE / f"{name}.py", tmp_path)
    result = subprocess.run(
        # -I: ignore PYTHON* variables and user site; -X utf8: UTF-8 stdio whatever the locale.
        [sys.executable, "-I", "-X", "utf8", script],
        input=meta.get("stdin", "").encode("utf-8"),
        capture_output=True,
        cwd=tmp_path,
        env={},
        timeout=30,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    expected = (SUITE / f"{name}.out").read_bytes()
    # surrogateescape is lossless, so this is an exact byte comparison with a readable diff.
    assert result.stdout.decode("utf-8", "surrogateescape") == expected.decode(
        "utf-8", "surrogateescape"
    ), f"stdout differs; stderr was:\n{stderr}"
    assert result.returncode == meta.get("exit_code", 0), f"stderr was:\n{stderr}"
    assert meta.get("stderr_contains", "") in stderr


def test_suite_layout():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases, want at least {MIN_CASES}"
    for path in sorted(SUITE.iterdir()):
        assert path.suffix in {".py", ".out", ".yaml"}, f"unexpected file {path.name}"
        assert (SUITE / f"{path.stem}.py").exists(), f"{path.name} has no script"
    for name in CASES:
        assert (SUITE / f"{name}.out").exists(), f"{name}.py has no .out file"
        (SUITE / f"{name}.out").read_bytes().decode("utf-8")  # must be valid UTF-8
        meta = load_meta(name)
        assert isinstance(meta, dict), f"{name}.yaml is not a mapping"
        for key, value in meta.items():
            assert key in META_TYPES, f"{name}.yaml: unknown key {key!r}"
            wanted = META_TYPES[key]
            assert isinstance(value, wanted) and not isinstance(value, bool), (
                f"{name}.yaml: {key} must be {wanted.__name__}, got {type(value).__name__}"
            )
