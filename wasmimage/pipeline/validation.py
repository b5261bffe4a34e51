"""Load a YAML file and check it against a JSON Schema, with errors that name file and field.

Recipes and toolchains are checked with jsonschema. Image manifests are checked without it,
by wasmimage/runtime/manifest.py, whose `describe` words the problems of both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wasmimage.errors import InvalidInput, NotFound
from wasmimage.runtime.manifest import describe, schema


@cache
def _validator(schema_name: str):
    import jsonschema

    return jsonschema.Draft202012Validator(schema(schema_name))


_YAML_TYPES = {int: "a number", float: "a number", bool: "a boolean", type(None): "empty", list: "a list",
               dict: "a mapping", str: "a string"}


class _Loader(yaml.SafeLoader):
    """safe_load that refuses a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not key_node:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {first.start_mark.line + 1})", mark)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """`line 12, column 10: expected ',' or ']' (while parsing a flow sequence from line 11)`."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or problem is None:
        return str(exc)
    text = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context:
        text += f" ({context}" + (f" from line {context_mark.line + 1}" if context_mark else "") + ")"
    return text


def load_yaml(path: Path, schema_name: str) -> dict[str, Any]:
    """Parse `path` and validate it; any problem is an error naming the file and field
    (NotFound when there is no such file, InvalidInput for the rest)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # a SafeLoader
    except OSError as exc:
        kind = NotFound if isinstance(exc, FileNotFoundError) else InvalidInput
        raise kind(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})") \
            from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    if data is None:
        raise InvalidInput(f"{path}: (top level): the file is empty")
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: (top level): must be a mapping of fields, "
                           f"not {_YAML_TYPES.get(type(data), type(data).__name__)}")
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "\n  ".join(describe(e) for e in errors[:5])
        raise InvalidInput(f"{path}: invalid {schema_name}:\n  {shown}")
    return data
