"""Fuel: the wasm operators a call executes (wasmtime's fuel metering), per image and per path.

Fuel is the Wikifunctions evaluator's own budget unit, and exact: the same call uses the same
fuel on every machine, however busy, so these rows need no quiet machine and no repetitions.
Only the guest's own work varies: the Python interpreters take a fresh hash seed per call, which
moves their counts by up to about 0.1 % (QuickJS's are the same every time).
Each image present (quickjs, cpython, rustpython) runs `print("hi")` and a trivial
Wikifunctions request (`add` of two strings) on each path: its `_start` command, which boots
the interpreter, and its snapshot, which starts from the booted interpreter's memory; both from
the image's .wasm compiled here for an engine that meters fuel (load_program(image, fuel=True)).
Beside them, what the evaluator's own code notes for a trivial Python request.
"""

from __future__ import annotations

from typing import Any

from benchmarks.context import HELLO, Context, add_request, check_add
from benchmarks.results import Goal, Row, Section
from benchmarks.stats import Stat
from wasmimage.runtime.image import Image
from wasmimage.runtime.runner import Program, load_program, run_program
from wasmimage.runtime.wikifunctions import evaluate_program

SECTION = "fuel"
IMAGES = ("quickjs", "cpython", "rustpython")
# The evaluator's note: "a trivial Python request consumes about 574 M fuel" (RustPython 0.5.0, booted per request).
EVALUATOR_FUEL = 574_000_000
EVALUATOR = "evaluator (RustPython 0.5.0, booted per request)"
GOAL_FUEL = {"javascript": 1_000_000, "python": 3_000_000}  # issue 22: a trivial request, on the path it takes


def hello_fuel(program: Program) -> int:
    result = run_program(program, HELLO)
    if result.stdout != b"hi\n" or result.fuel_consumed is None:
        raise RuntimeError(f"{program.name}: print(\"hi\") gave {result.outcome}: {result.stdout!r} "
                           f"{result.stderr[-300:]!r}")
    return result.fuel_consumed


def request_fuel(program: Program, image: Image) -> int:
    evaluation = evaluate_program(program, image.file("wikifunctions").read_bytes(),
                                  add_request(image.manifest["language"]))
    check_add(f"{program.name}{' snapshot' if program.snapshot else ''}", evaluation.z22)
    return evaluation.run.fuel_consumed


def image_fuel(ctx: Context, name: str) -> Section:
    goal = GOAL_FUEL[ctx.project.recipe(name).language]
    goal_name, target = f"{name}: trivial Wikifunctions request, fuel", f"≤ {goal:,} fuel"
    image, source = ctx.image_of(name)
    if image is None:
        return Section(rows=[Row(f"fuel.{name}", SECTION, f"{name} image", "not available",
                                 note=f"no image at {source}")],
                       goals=[Goal(goal_name, target, "no image", None)])
    store = ctx.project.native_store
    programs = {"command": load_program(image, snapshot=False, store=store, fuel=True)}
    snapshot = load_program(image, store=store, fuel=True)
    if snapshot.snapshot:
        programs["snapshot"] = snapshot
    hello = {path: hello_fuel(program) for path, program in programs.items()}
    request = {path: request_fuel(program, image) for path, program in programs.items()}

    request_label = f"{name}: trivial Wikifunctions request (add of two strings)"
    evaluator = dict(baseline=Stat.of([EVALUATOR_FUEL]), baseline_name=EVALUATOR,
                     ratio_label="× less than the evaluator")
    rows = [
        _row(f"fuel.{name}.hello.command", f'{name}: print("hi"), command (boots the interpreter)', hello["command"]),
        _row(f"fuel.{name}.hello.snapshot", f'{name}: print("hi"), snapshot', hello.get("snapshot"),
             baseline=Stat.of([hello["command"]]), baseline_name="command", ratio_label="× less"),
        _row(f"fuel.{name}.wikifunctions.command", f"{request_label}, command (boots the interpreter)",
             request["command"], **evaluator),
        _row(f"fuel.{name}.wikifunctions.snapshot", f"{request_label}, snapshot", request.get("snapshot"),
             note=f"{request['command'] / request['snapshot']:,.0f}× less than the command" if "snapshot" in request
             else "", **evaluator),
    ]
    path = "snapshot" if "snapshot" in request else "command"
    return Section(rows=rows,
                   goals=[Goal(goal_name, target, f"{request[path]:,} fuel ({path})", request[path] <= goal)])


def _row(key: str, name: str, used: int | None, note: str = "", **baseline: Any) -> Row:
    """A fuel row (None: the image has no snapshot), with how many times less than its baseline it is."""
    if used is None:
        return Row(key, SECTION, name, "not available", note="the image has no snapshot: its calls take the command")
    ratio = baseline["baseline"].median / used if baseline else None
    return Row(key, SECTION, name, Stat.of([used]), unit="fuel", ratio=ratio, note=note, **baseline)


def fuel(ctx: Context) -> Section:
    section = Section()
    for name in IMAGES:
        section.extend(image_fuel(ctx, name))
    return section
