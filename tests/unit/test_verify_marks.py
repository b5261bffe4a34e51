"""Case marks in conformance suites: per-image known differences and outcome alternatives.

A known difference excuses only the image it names (the Python suites are shared by
RustPython and CPython, and CPython must pass everything); an `outcome` list accepts any of
its outcomes (a hostile program that interpreters end in different ways). Run against the
real QuickJS image.
"""

from pathlib import Path

import pytest

from wasmimage.errors import PipelineError
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import load_program
from wasmimage.verify import discover, run_suite


def write_case(suite: Path, name: str, script: str, out: str | None, meta: str = "") -> None:
    (suite / f"{name}.js").write_text(script)
    if out is not None:
        (suite / f"{name}.out").write_text(out)
    if meta:
        (suite / f"{name}.yaml").write_text(meta)


def test_known_difference_excuses_only_the_image_it_names(quickjs_image, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    write_case(suite, "a_passes", 'print("a")', "a\n")
    write_case(suite, "b_excused", 'print("b")', "not b\n", 'known_difference: {quickjs: "prints b"}\n')
    write_case(suite, "c_other_image", 'print("c")', "not c\n", 'known_difference: {rustpython: "not this one"}\n')
    write_case(suite, "d_no_longer_needed", 'print("d")', "d\n", 'known_difference: {quickjs: "fixed since"}\n')
    write_case(suite, "e_either_outcome", "for (;;) {}", None, "outcome: [trap, timeout]\nlimits: {timeout: 0.5}\n")
    write_case(suite, "f_neither_outcome", "for (;;) {}", None, "outcome: [trap, error]\nlimits: {timeout: 0.5}\n")
    report = run_suite(load_program(open_image(quickjs_image)), suite, ".js")
    assert report["passed"] == ["a_passes", "d_no_longer_needed", "e_either_outcome"]
    assert report["known_difference_not_needed"] == ["d_no_longer_needed"]
    assert list(report["expected_failures"]) == ["b_excused"]
    # The declared reason alone: what the guest printed may differ between runs (addresses),
    # and the report is part of the image's reproducible bytes.
    assert report["expected_failures"]["b_excused"] == "prints b"
    assert sorted(report["failed"]) == ["c_other_image", "f_neither_outcome"]
    assert "expected trap or error" in report["failed"]["f_neither_outcome"]


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
