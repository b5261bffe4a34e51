"""Load a YAML file and check it against a JSON Schema, with errors that name file and field."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from wasmimage.errors import PipelineError


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    text = resources.files("wasmimage.schemas").joinpath(f"{schema_name}.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def field_path(parts) -> str:
    """`sources[0].sha256` from a jsonschema path deque."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    where = field_path(error.absolute_path)
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    if error.validator == "oneOf" and where.startswith("sources"):
        return (f"{where}: a source needs exactly one of `url` + `sha256`, "
                f"`git` + `commit`, or `pypi-sdist` + `sha256`")
    if error.validator == "pattern":
        return f"{where}: {error.instance!r} is not valid (must match {error.validator_value})"
    return f"{where}: {error.message}"


def load_yaml(path: Path, schema_name: str) -> dict[str, Any]:
    """Parse `path` and validate it; any problem is a PipelineError naming the file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PipelineError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path}: not valid YAML: {exc}") from None
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "\n  ".join(_describe(e) for e in errors[:5])
        raise PipelineError(f"{path}: invalid {schema_name}:\n  {shown}")
    return data
