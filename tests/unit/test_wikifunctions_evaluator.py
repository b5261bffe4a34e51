"""Our Wikifunctions executors answer as the evaluator's own executors do.

conformance/wikifunctions/evaluator/answers.json holds what the evaluator's Python and JavaScript
executors answered to the suite cases listed in cases.yaml (scripts/evaluator_answers.py re-derives
it from an evaluator checkout; README.md there says where it came from). Our answers are the
suites' expectations: verify proves them on every image and path, and
tests/unit/test_wikifunctions.py for the Python executor under the host's CPython. Results are
compared with every Z1K1 stripped, the evaluator's own rule: its executors write the types they
infer, the orchestrator's requests carry resolved ones.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from wasmimage.runtime import wikifunctions

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "conformance" / "wikifunctions"
LISTED = yaml.safe_load((SUITES / "evaluator" / "cases.yaml").read_text())
ANSWERS = json.loads((SUITES / "evaluator" / "answers.json").read_text())
_spec = importlib.util.spec_from_file_location("evaluator_answers", ROOT / "scripts" / "evaluator_answers.py")
RECORDER = importlib.util.module_from_spec(_spec)  # the script's own rule for what is compared
_spec.loader.exec_module(RECORDER)

LANGUAGES = ("python", "javascript")


def ours(language: str, name: str) -> dict[str, Any]:
    """Our answer to a case, as the evaluator's are recorded: Z22K1 without Z1K1s, the error."""
    z22 = wikifunctions.normal(json.loads((SUITES / language / f"{name}.expected.json").read_text()))
    return {"Z22K1": RECORDER.without_z1k1s(z22["Z22K1"]), "error": RECORDER.error_message(z22)}


def listed(kind: str) -> list:
    return [pytest.param(language, name, id=f"{language}/{name}")
            for language in LANGUAGES for name in LISTED[language].get(kind, [])]


def test_every_case_the_evaluator_can_run_is_listed_with_one_recorded_answer():
    # All but the cases that need the sandbox's limits or send raw text: a new case must be
    # compared, or excluded with its reason.
    for language in LANGUAGES:
        compared, excluded = set(LISTED[language]["compare"]), set(LISTED[language]["excluded"])
        assert not compared & excluded, language
        assert set(LISTED[language]["same_wording"]) <= compared, language
        runnable = {path.stem for path in (SUITES / language).glob("*.yaml")
                    if not {"limits", "raw_request"} & set(yaml.safe_load(path.read_text()))}
        assert compared | excluded == runnable, (language, runnable ^ (compared | excluded))
        assert set(ANSWERS[language]) == compared | excluded, f"{language}: rerun scripts/evaluator_answers.py"
        assert all(LISTED[language]["excluded"][name].strip() for name in excluded), "each exclusion says why"


def test_the_orchestrators_resolved_types_are_compared():
    # The cases in the orchestrator's shapes (resolved Z4 types) are the point of the comparison.
    for language in LANGUAGES:
        assert {"42_list_of_lists_resolved", "44_pair_of_pairs_resolved", "46_map_string_bool_resolved",
                "47_round_trip_three_deep", "48_resolved_primitives"} <= set(LISTED[language]["compare"])


@pytest.mark.parametrize("language,name", listed("compare"))
def test_same_result_as_the_evaluator(language, name):
    evaluator = ANSWERS[language][name]
    assert "no_answer" not in evaluator, evaluator
    assert ours(language, name)["Z22K1"] == evaluator["Z22K1"]


@pytest.mark.parametrize("language,name", listed("same_wording"))
def test_same_words_as_the_evaluator(language, name):
    assert ours(language, name)["error"] == ANSWERS[language][name]["error"] is not None


@pytest.mark.parametrize("language,name", listed("excluded"))
def test_each_exclusion_is_still_needed(language, name):
    # An excluded case whose answers came to agree would be a difference that no longer exists.
    assert ANSWERS[language][name] != ours(language, name)
