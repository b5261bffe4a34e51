"""Docs and comments that cannot drift from the code: every repository path they name exists, and
docs/cache.md's table of key parts lists exactly what wasmimage/pipeline/keys.py hashes.

A renamed or removed module, doc or suite left named somewhere fails the first test with the
file and line that names it; a key part added to or dropped from keys.py without the table (or
the other way round) fails the second, naming the stage.
"""

from __future__ import annotations

import ast
import re
import subprocess

import pytest

from helpers.project import ROOT

TOP_LEVEL = ("wasmimage", "recipes", "docs", "tests", "conformance", "toolchains", "scripts", "benchmarks", ".ci")
PACKAGES = ("pipeline", "runtime", "registry", "sources", "schemas", "outdated")  # also named relative to wasmimage/
_ROOTS = "|".join(re.escape(name) for name in TOP_LEVEL + PACKAGES)
PATH = re.compile(r"(?<![\w./-])((?:" + _ROOTS + r")/[A-Za-z0-9_./*{}<>-]*[A-Za-z0-9_*}>])")
STAGE_ROWS = {"engine_aot": "aot.PROFILE", "engine_verify": "verify.PROFILE"}  # keys.py function -> table row
STAGES = ["compile", "aot", "snapshot", "verify", *STAGE_ROWS.values()]
PLACEHOLDER = re.compile(r"[*{}<>]|NAME|\.\.\.")


def named_paths():
    """(file:line, path) for every repository path the project's own code, comments and docs name.

    tests/ and conformance/ are left out: their cases name files the tests create."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    sources = [name for name in listed if not name.startswith(("tests/", "conformance/"))
               and (name.endswith((".py", ".md", ".yaml", ".c", ".js", ".mk", ".toml"))
                    or name in ("scripts/setup", "scripts/test", ".ci/run"))]
    for name in sources:
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), 1):
            for found in PATH.finditer(line):
                path = found.group(1).rstrip(".")
                if not PLACEHOLDER.search(path):
                    yield f"{name}:{number}", path


def test_every_path_named_in_code_comments_and_docs_exists():
    missing = [f"{where}: {path}" for where, path in named_paths()
               if not (ROOT / path).exists() and not (ROOT / "wasmimage" / path).exists()
               and not (ROOT / "wasmimage" / "pipeline" / path).exists()]
    assert not missing, "paths named but not in the repository:\n" + "\n".join(missing)


def key_parts_in_code() -> dict[str, set[str]]:
    """Stage -> the names of the parts its key function in keys.py hashes (its dict literals' keys)."""
    tree = ast.parse((ROOT / "wasmimage" / "pipeline" / "keys.py").read_text())
    parts = {}
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and function.name.endswith("_key") and function.name != "stage_keys":
            stage = function.name.removesuffix("_key")
            parts[STAGE_ROWS.get(stage, stage)] = {
                key.value for node in ast.walk(function) if isinstance(node, ast.Dict)
                for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    return parts


def key_parts_in_docs() -> dict[str, set[str]]:
    """Stage -> the part names docs/cache.md's table gives it (each `·`-separated part starts with them)."""
    parts = {}
    for line in (ROOT / "docs" / "cache.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        stage = cells[0].split(" ")[0]
        if len(cells) == 3 and stage in STAGES:
            names = set()
            for part in cells[2].split(" · "):
                lead = re.match(r"((?:`\w+`(?: and )?)+)", part)
                names |= set(re.findall(r"`(\w+)`", lead.group(1))) if lead else set()
            parts[stage] = names
    return parts


@pytest.mark.parametrize("stage", STAGES)
def test_the_cache_key_table_lists_exactly_what_each_key_hashes(stage):
    assert key_parts_in_docs().get(stage) == key_parts_in_code()[stage]
