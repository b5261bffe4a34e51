"""The stage table (wasmimage/pipeline/tasks.py): the tasks it makes, and what doit keeps of their keys.

doit keeps, for each task, the value its up-to-date check saved after the last successful run.
Those values are the ones the task generators before the table saved, so an existing .doit.db
stays up to date: a second `doit build` after the change runs nothing. A run through doit is
tests/pipeline/test_stage_table.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from helpers.project import copy_project
from unit.test_cache import _clean_env, _fake_stage_outputs  # noqa: F401  (_clean_env: autouse)
from wasmimage.digests import sha256_file, sha256_json
from wasmimage.pipeline import tasks
from wasmimage.pipeline.keys import (
    aot_key,
    compile_key,
    engine_aot_key,
    engine_verify_key,
    snapshot_key,
    stage_keys,
    verify_key,
    writer_digest,
)
from wasmimage.pipeline.project import Project
from wasmimage.settings import Settings


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the checkout with quickjs's stage outputs in place (a few bytes each), for every engine profile."""
    root = copy_project(tmp_path / "p")
    _fake_stage_outputs(Project(root))
    project = Project(root, Settings.from_environ())
    out = project.stage_outputs(project.recipe("quickjs"))
    for profile in project.engine_profiles(project.recipe("quickjs")):
        out.engine(profile.name).cwasm.write_bytes(f"{profile.name} cwasm".encode())
    return project


def the_task(project: Project, stage: str, recipe: str = "quickjs") -> dict[str, Any]:
    return next(task for task in tasks.stage_tasks(project, stage) if task["name"] == recipe)


def saved_by(check: Any, values: dict[str, str]) -> tuple[bool, list[dict[str, str]]]:
    """Ask a task's up-to-date check as doit does: (up to date?, the values it would save after a run)."""
    task = SimpleNamespace(value_savers=[])
    return check(task, values), [save() for save in task.value_savers]


def test_doit_keeps_the_values_the_generators_before_the_table_kept(project: Project) -> None:
    recipe = project.recipe("quickjs")
    profiles = project.engine_profiles(recipe)
    assert [p.name for p in profiles] == ["wikifunctions", "wasmtime-48-lts"]
    before = {  # as compile_tasks ... image_tasks computed them
        "compile": compile_key(project, recipe),
        "aot": sha256_json([aot_key(project, recipe), *(engine_aot_key(project, recipe, p) for p in profiles)]),
        "snapshot": snapshot_key(project, recipe),
        "verify": sha256_json([verify_key(project, recipe),
                               *(engine_verify_key(project, recipe, p) for p in profiles)]),
        # The one value that moved since: the image's also covers the code that writes it.
        "image": sha256_json({**stage_keys(project, recipe), "writer": writer_digest()}),
    }
    for stage, value in before.items():
        (check,) = the_task(project, stage)["uptodate"]
        assert saved_by(check, {}) == (False, [{"key": value}]), stage  # never built: it runs, then keeps `value`
        assert saved_by(check, {"key": value}) == (True, [{"key": value}]), stage
    # The keys the action is handed are the ones the check compared: the image's provenance records them all.
    (check,) = the_task(project, "image")["uptodate"]
    saved_by(check, {})
    assert check.take() == stage_keys(project, recipe)


def test_the_image_stage_compares_the_code_that_writes_an_image() -> None:
    """Manifest, SBOM and provenance code, and every source kind (they describe the pins in the SBOM and
    provenance): were one left out, a change to it would leave the images an older version wrote."""
    package = Path(tasks.__file__).resolve().parents[1]
    kinds = {p.relative_to(package).as_posix() for p in (package / "sources").glob("*.py")}
    covered = writer_digest()
    assert {"pipeline/image.py", "pipeline/image_files.py", "pipeline/sbom.py", "pipeline/provenance.py",
            "sources/crate.py"} | kinds <= set(covered)
    assert covered["pipeline/sbom.py"] == sha256_file(package / "pipeline/sbom.py")


def test_a_stage_whose_input_is_missing_is_not_up_to_date(project: Project) -> None:
    """The check does not fail doit: it says 'run' (the action then fails, naming the file) and keeps nothing."""
    project.stage_outputs(project.recipe("quickjs")).wasm.unlink()
    (check,) = the_task(project, "aot")["uptodate"]
    assert saved_by(check, {"key": "anything"}) == (False, [])


def test_every_stage_makes_its_tasks_for_the_recipes_it_applies_to(project: Project) -> None:
    names = {stage: [task["name"] for task in tasks.stage_tasks(project, stage)] for stage in tasks.STAGES}
    every = [recipe.name for recipe in project.recipes]
    assert names == {"fetch": every, "compile": every, "aot": every, "verify": every, "image": every,
                     "snapshot": [recipe.name for recipe in project.recipes if recipe.snapshot_output]}
    assert names["snapshot"] and set(names["snapshot"]) < set(every)
    compile_quickjs = the_task(project, "compile")
    assert compile_quickjs["task_dep"] == ["fetch:quickjs"]
    assert compile_quickjs["doc"] == "build quickjs to wasm32-wasip1"
    out = project.stage_outputs(project.recipe("quickjs"))
    assert compile_quickjs["targets"] == [out.wasm, out.build_info, out.reactor]
    assert the_task(project, "aot")["file_dep"] == [out.wasm]


def test_the_stages_the_artifact_cache_answers_are_marked_in_the_table() -> None:
    """The closing summary takes them from the table: a stage marked there but not answered by the cache
    would be reported as 'ran' on every run, one left unmarked would never be reported as restored."""
    from wasmimage.pipeline import summary

    cached = [name for name, stage in tasks.STAGES.items() if stage.cached]
    assert cached == ["compile", "aot", "snapshot", "verify"]
    assert summary.CACHED == tuple(cached)  # in the table's order: the order the summary line names them
    # The artifact cache names a stage's entry by its keys: a stage without keys has no entry to answer from.
    assert all(tasks.STAGES[name].keys is not None for name in cached)
