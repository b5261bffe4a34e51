"""Fuel per call on each path of an image: a call from the snapshot starts from an interpreter booted at
build time, with its protocols' executors preloaded, so it executes a small fraction of the wasm operators
a call on the `_start` command does (which boots the interpreter, then compiles the executor).

Fuel is exact (the same call uses the same fuel on every machine), so these hold however busy the machine
is. The QuickJS image is the pipeline tier's; the Python images take minutes to build (slow).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.project import built_image
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import load_program, run_program
from wasmimage.runtime.wikifunctions import canonical, evaluate_program

# `add` of two strings, the trivial request the evaluator's fuel figure is about (benchmarks/fuel.py measures the same)
ADD_CODE = {
    "javascript": "function Z1000(Z1000K1, Z1000K2) { return Z1000K1 + Z1000K2; }",
    "python": "def Z1000(Z1000K1, Z1000K2):\n    return Z1000K1 + Z1000K2\n",
}


def fuel_used(image_dir: Path, snapshot: bool) -> dict[str, int]:
    """What print("hi") and a trivial Wikifunctions request each use on one path, both answers checked."""
    image = open_image(image_dir)
    program = load_program(image, snapshot=snapshot, fuel=True)
    assert program.snapshot == snapshot, f"{image.name} has no snapshot of this runner's ABI"
    hello = run_program(program, b'print("hi")')
    assert hello.stdout == b"hi\n", hello
    request = {"codeString": ADD_CODE[image.manifest["language"]], "functionName": "Z1000",
               "functionArguments": {"Z1000K1": {"Z1K1": "Z6", "Z6K1": "wiki"},
                                     "Z1000K2": {"Z1K1": "Z6", "Z6K1": "functions"}}}
    evaluation = evaluate_program(program, image.file("wikifunctions").read_bytes(), request)
    assert canonical(evaluation.z22["Z22K1"]) == "wikifunctions", evaluation.z22
    return {"print": hello.fuel_consumed, "wikifunctions": evaluation.run.fuel_consumed}


def assert_snapshot_costs_a_tenth(image_dir: Path) -> None:
    # Fails if a snapshot call boots the interpreter again, or if a request on the snapshot compiles and imports
    # its executor again instead of running the preloaded one (CPython: 180 M fuel instead of a few million).
    command, snapshot = fuel_used(image_dir, snapshot=False), fuel_used(image_dir, snapshot=True)
    for call in ("print", "wikifunctions"):
        assert 0 < snapshot[call] * 10 < command[call], (call, snapshot[call], command[call])


def test_a_quickjs_call_from_the_snapshot_costs_under_a_tenth_of_the_command(quickjs_image: Path):
    assert_snapshot_costs_a_tenth(quickjs_image)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["cpython", "rustpython"])
def test_a_python_call_from_the_snapshot_costs_under_a_tenth_of_the_command(recipe: str):
    assert_snapshot_costs_a_tenth(built_image(recipe))
