"""The protocol table (wasmimage/runtime/protocols.py) is the one list of protocols: the JSON schemas
that validate recipes and images name exactly its protocols, and each protocol's suites exist.

A protocol added to the table but not to a schema (or the other way round) fails here, naming it;
so does a protocol whose suite prefix matches no directory under conformance/.
"""

from __future__ import annotations

import json

import pytest

from helpers.project import ROOT
from wasmimage.runtime.protocols import PROTOCOLS, of_suite

SCHEMAS = ROOT / "wasmimage" / "schemas"


def test_the_recipe_schema_names_exactly_the_tables_protocols():
    schema = json.loads((SCHEMAS / "recipe.schema.json").read_text())
    run = next(d for d in _objects(schema) if "protocols" in d.get("properties", {}) and "argv" in d["properties"])
    assert set(run["properties"]["protocols"]["properties"]) == set(PROTOCOLS)


def test_the_image_schema_names_exactly_the_tables_protocols():
    schema = json.loads((SCHEMAS / "image.schema.json").read_text())
    assert set(schema["properties"]["protocols"]["properties"]) == set(PROTOCOLS)


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_each_protocol_has_suites_and_is_found_by_them(name):
    protocol = PROTOCOLS[name]
    suites = sorted(p.relative_to(ROOT / "conformance").as_posix()
                    for p in (ROOT / "conformance").glob(f"{protocol.suite_prefix}*") if p.is_dir())
    assert suites, f"no conformance/{protocol.suite_prefix}* directory"
    assert all(of_suite(suite) is protocol for suite in suites)
    assert of_suite("python") is None and of_suite("hostile/python") is None


def _objects(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)
