"""Case marks in conformance suites: per-image known differences and outcome alternatives.

A known difference excuses only the image it names (the Python suites are shared by
RustPython and CPython, and CPython must pass everything); an `outcome` list accepts any of
its outcomes (a hostile program that interpreters end in different ways). Run against the
real QuickJS image in tests/pipeline/test_verify_marks.py.
"""

from pathlib import Path

import pytest

from wasmimage.errors import PipelineError
from wasmimage.pipeline.verify import discover


def write_case(suite: Path, name: str, script: str, out: str | None, meta: str = "") -> None:
    (suite / f"{name}.js").write_text(script)
    if out is not None:
        (suite / f"{name}.out").write_text(out)
    if meta:
        (suite / f"{name}.yaml").write_text(meta)


@pytest.mark.parametrize("meta, field", [
    ('known_difference: "a reason for every image"\n', "known_difference"),
    ("known_difference: {rustpython: ''}\n", "known_difference"),
    ("known_difference: {RustPython: reason}\n", "known_difference"),
    ("known_difference: {}\n", "known_difference"),
    ("outcome: crashed\n", "outcome"),
    ("outcome: [timeout, crashed]\n", "outcome"),
    ("outcome: []\n", "outcome"),
])
def test_malformed_marks_name_the_file_and_field(meta, field, tmp_path):
    write_case(tmp_path, "case", 'print("x")', "x\n", meta)
    with pytest.raises(PipelineError, match=rf"case\.yaml: {field}: must"):
        discover(tmp_path, ".js")
