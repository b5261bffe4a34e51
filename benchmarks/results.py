"""What a benchmark run produces: table rows, goals and levers."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.stats import Stat, fmt_value


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    `value` is a Stat, or text where nothing was measured ("not available", "skipped").
    A row with a baseline reports `ratio`, phrased by `ratio_label` ("× faster", "× native").
    """

    key: str  # stable id, e.g. "cold.aot"
    section: str
    name: str
    value: Stat | str
    unit: str = "s"
    baseline: Stat | None = None
    baseline_name: str = ""
    ratio: float | None = None
    ratio_label: str = ""
    note: str = ""

    @property
    def measured(self) -> bool:
        return isinstance(self.value, Stat)

    def value_text(self) -> str:
        return fmt_value(self.value.median, self.unit) if isinstance(self.value, Stat) else self.value

    def spread_text(self) -> str:
        if not isinstance(self.value, Stat) or self.value.n < 2:
            return ""
        return f"{fmt_value(self.value.min, self.unit)} – {fmt_value(self.value.max, self.unit)} (n={self.value.n})"

    def baseline_text(self) -> str:
        if self.baseline is None:
            return ""
        return f"{self.baseline_name}: {fmt_value(self.baseline.median, self.unit)}"

    def ratio_text(self) -> str:
        if self.ratio is None:
            return ""
        digits = 0 if self.ratio >= 100 else 1 if self.ratio >= 10 else 2
        return f"{self.ratio:,.{digits}f}{self.ratio_label}"


@dataclass(frozen=True)
class Goal:
    name: str
    target: str
    measured: str
    holds: bool | None  # None: could not be measured in this run

    def verdict(self) -> str:
        return {True: "holds", False: "MISSED", None: "not measured"}[self.holds]


@dataclass(frozen=True)
class Lever:
    """A change tried to move a missed goal, and what it did."""

    area: str
    name: str
    result: str  # the measured outcome, e.g. "geomean 1.62× native"
    effect: str  # compared with the baseline, e.g. "-8 % vs the image"


@dataclass
class Section:
    """The output of one measurement module."""

    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    levers: list[Lever] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: Section) -> None:
        self.rows += other.rows
        self.goals += other.goals
        self.levers += other.levers
        self.notes += other.notes
