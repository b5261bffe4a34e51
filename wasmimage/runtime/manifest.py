"""Check parsed JSON against a schema of wasmimage/schemas/ without jsonschema, naming the field at fault.

Image manifests are checked on every open, on the path that runs user code, where importing
jsonschema (0.3-2 s here, with its format checkers) would cost more than the call. So the
runtime checks image.json against wasmimage/schemas/image.schema.json itself: `check_json`
covers the keywords that schema uses (and refuses any other), and tests hold it to
jsonschema's verdicts. The build side (validation.py) checks recipes with jsonschema and
words its problems with the same `describe`. Standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from wasmimage.errors import InvalidInput


@cache
def schema(schema_name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("wasmimage.schemas").joinpath(f"{schema_name}.schema.json").read_text())
    return loaded


def field_path(parts: Iterable[str | int]) -> str:
    """`sources[0].sha256` from a jsonschema path deque."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


# What the schemas' patterns mean, in words (a pattern not listed here is shown as is).
PATTERN_MEANINGS = {
    "^[0-9a-f]{64}$": "64 lowercase hex digits (a sha256)",
    "^[0-9a-f]{40}$": "a full commit id: 40 lowercase hex digits (not a branch, tag or short id)",
    "^[A-Za-z0-9_][A-Za-z0-9_.+-]*$": "a plain file name (letters, digits, _ . + -; no / and no ..)",
    "^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9_./+-]+$":
        "a relative path that stays inside its directory (no leading /, no ..)",
    "^https://[^\\s]+$": "an https:// URL",
    "^(https://|file://)[^\\s]+$": "an https:// or file:// URL",
    "^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+$": "an exact pin NAME==VERSION",
    "^[a-z0-9][a-z0-9-]{0,62}$": "lowercase letters, digits and -, starting with a letter or digit",
    "^[a-z0-9][a-z0-9-]*$": "lowercase letters, digits and -, starting with a letter or digit",
}
def _join(where: str, key: str) -> str:
    return key if where == "(top level)" else f"{where}.{key}"


class SchemaProblem(Protocol):
    """What describe reads of a problem: a jsonschema.ValidationError or a _Problem alike (JSON
    values and schema nodes are Any: a ValidationError types them loosely, with its Unset)."""

    @property
    def absolute_path(self) -> Sequence[str | int]: ...
    @property
    def validator(self) -> object: ...
    @property
    def validator_value(self) -> Any: ...
    @property
    def instance(self) -> Any: ...
    @property
    def schema(self) -> Any: ...
    @property
    def message(self) -> str: ...


def describe(error: SchemaProblem) -> str:
    """One line per problem; `error` is a jsonschema.ValidationError or a _Problem (image and recipe alike)."""
    where = field_path(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        import difflib  # only when there is a problem to word: a fresh `run` process starts faster

        known = sorted(error.schema.get("properties", {}))
        lines = []
        for key in sorted(k for k in error.instance if k not in known):
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            lines.append(f"{_join(where, str(key))}: unknown field ({hint}allowed here: {', '.join(known)})")
        if lines:
            return "\n  ".join(lines)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        return "\n  ".join(f"{_join(where, k)}: required field is missing" for k in missing)
    if error.validator == "oneOf" and where.startswith("sources"):
        return (f"{where}: a source needs exactly one of `url` + `sha256`, "
                f"`git` + `commit`, `pypi-sdist` + `sha256`, `crate` + `sha256`, `debian-source` + `sha256`, "
                f"or `cargo-vendor` (+ optional `sha256`); a `url` source may name a `debian-source` too")
    if error.validator == "pattern":
        meaning = error.schema.get("description") or PATTERN_MEANINGS.get(error.validator_value)
        if meaning:
            return f"{where}: {error.instance!r} is not valid: must be {meaning}"
        return f"{where}: {error.instance!r} is not valid (must match {error.validator_value})"
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "type" and error.validator_value == "string" and isinstance(error.instance, (int, float)):
        return f"{where}: {error.message} (YAML reads it as a number: quote it, \"{error.instance}\")"
    return f"{where}: {error.message}"


@dataclass(frozen=True)
class _Problem:
    """The parts of a jsonschema.ValidationError that _describe reads."""

    absolute_path: list[str | int]
    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    message: str


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {"object": dict, "array": list, "string": str, "integer": int,
                                                   "number": (int, float), "boolean": bool}


def _problems(value: Any, node: dict[str, Any], root: dict[str, Any], path: list[str | int]) -> Iterator[_Problem]:
    """Draft 2020-12 for the keywords image.schema.json uses; unknown keywords are refused."""
    if "$ref" in node:
        node = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
    unknown = set(node) - _KEYWORDS
    if unknown:
        raise ValueError(f"check_json does not support {sorted(unknown)}")

    def problem(keyword: str, message: str) -> _Problem:
        return _Problem(list(path), keyword, node[keyword], value, node, message)

    if "type" in node:
        expected = node["type"]
        if not isinstance(value, _JSON_TYPES[expected]) or (isinstance(value, bool) and expected != "boolean"):
            yield problem("type", f"{value!r} is not of type {expected!r}")
            return
    if "const" in node and (value != node["const"] or type(value) is not type(node["const"])):
        yield problem("const", f"{node['const']!r} was expected, not {value!r}")
    if isinstance(value, str):
        if "pattern" in node and not re.search(node["pattern"], value):
            yield problem("pattern", f"{value!r} does not match {node['pattern']!r}")
        if len(value) < node.get("minLength", 0):
            yield problem("minLength", f"{value!r} is too short")
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            yield problem("minimum", f"{value} is less than the minimum of {node['minimum']}")
        if "maximum" in node and value > node["maximum"]:
            yield problem("maximum", f"{value} is greater than the maximum of {node['maximum']}")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            yield problem("minItems", f"{value!r} should have at least {node['minItems']} item(s)")
        for index, item in enumerate(value):
            yield from _problems(item, node.get("items", {}), root, [*path, index])
    if isinstance(value, dict):
        yield from _object_problems(value, node, root, path, problem)


def _object_problems(value: dict[str, Any], node: dict[str, Any], root: dict[str, Any], path: list[str | int],
                     problem: Callable[[str, str], _Problem]) -> Iterator[_Problem]:
    missing = [key for key in node.get("required", ()) if key not in value]
    if missing:
        yield problem("required", f"{missing[0]!r} is a required property")
    if len(value) < node.get("minProperties", 0):
        yield problem("minProperties", f"{value!r} should have at least {node['minProperties']} propert(ies)")
    properties, extra = node.get("properties", {}), node.get("additionalProperties", True)
    if extra is False and set(value) - set(properties):
        yield problem("additionalProperties", f"unexpected properties {sorted(set(value) - set(properties))}")
    for key, item in value.items():
        if "propertyNames" in node:
            for found in _problems(key, node["propertyNames"], root, path):
                yield _Problem(found.absolute_path, found.validator, found.validator_value, key, found.schema,
                               found.message)
        if key in properties:
            yield from _problems(item, properties[key], root, [*path, key])
        elif isinstance(extra, dict):
            yield from _problems(item, extra, root, [*path, key])


_KEYWORDS = {"$schema", "title", "description", "$defs", "$ref", "type", "const", "pattern", "minLength", "minimum",
             "maximum", "minItems", "items", "required", "minProperties", "properties", "additionalProperties",
             "propertyNames"}


def check_json(data: Any, path: Path, schema_name: str) -> None:
    """Check parsed JSON against wasmimage/schemas/SCHEMA_NAME.schema.json without importing jsonschema."""
    root = schema(schema_name)
    try:
        problems = sorted(_problems(data, root, root, []), key=lambda p: [str(part) for part in p.absolute_path])
    except RecursionError:  # the schema nests a few levels: anything this deep is wrong somewhere
        raise InvalidInput(f"{path}: invalid {root.get('title', schema_name)}: it nests too deeply") from None
    if problems:
        shown = "\n  ".join(describe(p) for p in problems[:5])
        raise InvalidInput(f"{path}: invalid {root.get('title', schema_name)}:\n  {shown}")
