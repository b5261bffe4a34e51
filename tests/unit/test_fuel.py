"""Fuel as a limit and a measure (Limits.fuel), on tiny WASI programs: wasmtime counts executed
operators, so the counts here are exact and the same on every machine."""

import pytest
import wasmtime

from wasmimage.runtime.engine import AOT_CONFIG, FUEL_CONFIG, engine
from wasmimage.runtime.runner import Limits, Program, run_program


def counter(iterations: int | None) -> str:
    """A program that counts to `iterations` (None: forever), then prints "done"."""
    stop = f"(br_if $out (i32.ge_u (local.get $i) (i32.const {iterations})))" if iterations is not None else ""
    return f"""(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 512) "done")
      (func (export "_start") (local $i i32)
        (block $out (loop $again
          {stop}
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $again)))
        (i32.store (i32.const 304) (i32.const 512))
        (i32.store (i32.const 308) (i32.const 4))
        (drop (call $write (i32.const 1) (i32.const 304) (i32.const 1) (i32.const 320)))))"""


def program(wat: str, config=FUEL_CONFIG) -> Program:
    return Program("counter", wasmtime.Module(engine(config), wat), ("counter",), "script.txt", config=config)


def test_fuel_consumed_is_exact_and_grows_with_the_work():
    # Fails if fuel is not metered, or measured across calls instead of per call.
    small, large = (run_program(program(counter(n)), b"", limits=Limits(fuel=10**9)) for n in (1000, 2000))
    again = run_program(program(counter(1000)), b"", limits=Limits(fuel=10**9))
    assert small.outcome == large.outcome == "ok" and small.stdout == b"done"
    assert small.fuel_consumed == again.fuel_consumed > 0
    assert large.fuel_consumed - small.fuel_consumed >= 1000 * 4  # at least the loop's four operators per turn


def test_running_out_of_fuel_ends_the_call_with_its_own_outcome():
    result = run_program(program(counter(None)), b"", limits=Limits(fuel=1_000_000, timeout=60))
    assert (result.outcome, result.reason) == ("fuel_exhausted", "fuel limit of 1000000 exhausted")
    assert result.fuel_consumed == 1_000_000 and result.wall_seconds < 60


def test_a_metering_program_without_a_fuel_limit_reports_what_it_used():
    result = run_program(program(counter(1000)), b"")
    assert result.outcome == "ok" and result.fuel_consumed and result.fuel_consumed < 10**6


def test_without_metering_there_is_no_fuel_and_asking_for_it_is_refused_by_name():
    plain = program(counter(10), AOT_CONFIG)
    assert run_program(plain, b"").fuel_consumed is None
    with pytest.raises(ValueError, match="limits.fuel: this program does not meter fuel; load it with"):
        run_program(plain, b"", limits=Limits(fuel=100))


@pytest.mark.parametrize("fuel", [0, -1, 2**63, 1.5, True, "10"])
def test_out_of_range_fuel_is_refused_by_name(fuel):
    with pytest.raises(ValueError, match="Limits.fuel: must be None or an integer"):
        Limits(fuel=fuel)


def test_the_deadline_still_holds_on_a_metering_engine():
    # Fuel counts work, not time: a call with plenty of fuel is still ended by its deadline (its own epoch ticker).
    # (What such a call used is what wasmtime last wrote back: a tight loop keeps its count in a register.)
    result = run_program(program(counter(None)), b"", limits=Limits(fuel=2**62, timeout=0.5))
    assert result.outcome == "timeout" and result.fuel_consumed is not None
