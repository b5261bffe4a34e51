"""doit's console reporter plus one closing line per image: built, cache hit, up to date, or failed and why.

A run's output is long (every conformance case, every compile command); CI logs and people
look at the end. The stage actions tell whether the artifact cache answered (tasks._action
saves `cache: hit|miss` as a task value); the reporter sees which tasks ran, were up to date
or failed.
"""

from __future__ import annotations

from doit.exceptions import BaseFail, TaskFailed
from doit.reporter import ConsoleReporter

from wasmimage.pipeline.tasks import STAGES as STAGE_TABLE

STAGES = tuple(STAGE_TABLE)  # the task groups whose outcome the closing line reports
CACHED = tuple(stage.name for stage in STAGE_TABLE.values() if stage.cached)  # those the artifact cache can answer


class SummaryReporter(ConsoleReporter):
    desc = "console output, then one summary line per image"

    def __init__(self, outstream, options):
        super().__init__(outstream, options)
        self.outcomes: dict[str, dict[str, str]] = {}  # recipe -> stage -> ran|hit|miss|uptodate|failed
        self.reasons: dict[str, str] = {}  # recipe -> why it failed

    def _note(self, task, outcome: str) -> None:
        stage, _, recipe = task.name.partition(":")
        if stage in STAGES and recipe:
            self.outcomes.setdefault(recipe, {})[stage] = outcome

    def add_success(self, task):
        super().add_success(task)
        self._note(task, task.values.get("cache", "ran"))

    def skip_uptodate(self, task):
        super().skip_uptodate(task)
        self._note(task, "uptodate")

    def add_failure(self, task, fail: BaseFail):
        super().add_failure(task, fail)
        stage, _, recipe = task.name.partition(":")
        if stage not in STAGES + ("build",) or not recipe:
            return
        self.outcomes.setdefault(recipe, {})
        if isinstance(fail, TaskFailed):  # the stage itself failed (not "a task it depends on failed")
            lines = fail.message.strip().splitlines() or ["failed"]
            first = " ".join(line.strip() for line in lines[:2]) if lines[0].endswith(":") else lines[0]
            self.reasons.setdefault(recipe, f"failed at {stage}: {first}")

    def complete_run(self):
        super().complete_run()
        if self.outcomes:  # a run that touched images (not `doit clean`, `doit publish` alone...)
            self.write("\n".join(summary_line(r, self.outcomes[r], self.reasons.get(r))
                                 for r in sorted(self.outcomes)) + "\n")


def summary_line(recipe: str, outcomes: dict[str, str], reason: str | None) -> str:
    if reason:
        return f"[summary] {recipe}: {reason}"
    if not outcomes:
        return f"[summary] {recipe}: failed (a task it depends on failed)"
    stages = {s: outcomes[s] for s in CACHED if s in outcomes}
    built = [s for s, o in stages.items() if o in ("miss", "ran")]
    hits = [s for s, o in stages.items() if o == "hit"]
    if built:
        return (f"[summary] {recipe}: built ({', '.join(built)} ran"
                + (f"; {', '.join(hits)} from the artifact cache)" if hits else ")"))
    if hits:
        return f"[summary] {recipe}: cache hit ({', '.join(hits)} restored from the artifact cache)"
    if outcomes.get("image") == "ran":
        return f"[summary] {recipe}: image rewritten (every earlier stage up to date)"
    return f"[summary] {recipe}: up to date (nothing ran)"
