"""One Settings object, read once from the environment at the entry points and passed down.

No module but wasmimage/settings.py reads a WASMIMAGE_* variable or SOURCE_DATE_EPOCH; README's
Settings table lists exactly the variables there are; a bad value is an error naming the variable.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from wasmimage.errors import InvalidInput
from wasmimage.pipeline.cache import Cache
from wasmimage.pipeline.project import Project
from wasmimage.registry.target import Target
from wasmimage.settings import VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wasmimage"
OURS = re.compile(r"^(WASMIMAGE_|SOURCE_DATE_EPOCH$)")
ONLY_CI = {"WASMIMAGE_CI_CACHE"}  # .ci/run (a shell script) reads it; the package never does


def _string_constants() -> dict[str, str]:
    """Every module-level NAME = "text" in the package, by NAME (how modules name a variable)."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str):
                found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _names_read(tree: ast.AST) -> list[tuple[int, ast.expr]]:
    """(line, key) of each os.environ.get/[]/in/pop/setdefault and os.getenv in a module."""
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args and (
                (node.func.attr in ("get", "pop", "setdefault") and _is_environ(node.func.value))
                or node.func.attr == "getenv"):
            keys.append((node.lineno, node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            keys.append((node.lineno, node.slice))
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            keys.append((node.lineno, node.left))
    return keys


def test_no_module_but_settings_reads_our_variables() -> None:
    constants = _string_constants()
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "settings.py":
            continue
        for line, key in _names_read(ast.parse(path.read_text())):
            if isinstance(key, ast.Constant):
                name = key.value
            elif isinstance(key, (ast.Name, ast.Attribute)):  # NAME_ENV, or module.NAME_ENV
                name = constants.get(key.id if isinstance(key, ast.Name) else key.attr, "?")
            else:
                name = "?"
            if name == "?" or OURS.match(str(name)):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: reads {name} (read it in wasmimage/settings.py)")
    assert offenders == []


def test_readme_settings_table_lists_exactly_the_variables() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z_]+)` \|(.*)$", section, re.M)}
    assert set(rows) == {v.name for v in VARIABLES} | ONLY_CI
    assert ".ci/run" in rows["WASMIMAGE_CI_CACHE"]
    assert len({v.field for v in VARIABLES}) == len(VARIABLES) == len(Settings.__dataclass_fields__)


def test_values_are_parsed_and_empty_means_unset() -> None:
    settings = Settings.from_environ({
        "WASMIMAGE_MIRRORS": " /srv/mirror  https://mirror.example/wasm ", "WASMIMAGE_WORK_DIR": "/tmp/trees",
        "WASMIMAGE_ACCEPT_TOOLCHAIN_DRIFT": "1", "SOURCE_DATE_EPOCH": "1700000000", "WASMIMAGE_CACHE_KEY": "",
        "HOME": "/elsewhere"})
    assert settings == Settings(mirrors=("/srv/mirror", "https://mirror.example/wasm"), work_dir=Path("/tmp/trees"),
                                accept_toolchain_drift=True, source_date_epoch="1700000000")
    assert Settings.from_environ({}) == Settings()
    assert not Settings.from_environ({"WASMIMAGE_ACCEPT_TOOLCHAIN_DRIFT": "0"}).accept_toolchain_drift


def test_a_project_takes_every_build_setting_from_its_settings(tmp_path: Path) -> None:
    settings = Settings(source_cache=tmp_path / "sources", mirrors=(str(tmp_path / "mirror"),),
                        debian_archives=("file:/srv/debian",), vendor_cargo="/usr/bin/cargo",
                        work_dir=tmp_path / "trees", artifact_cache=tmp_path / "artifacts",
                        cache_key="a cache key of at least sixteen characters", native_cache=tmp_path / "native",
                        trusted_keys=tmp_path / "allowed_signers")
    project = Project(ROOT, settings)
    fetch = project.fetch_settings
    assert (fetch.cache_dir, fetch.mirrors, fetch.debian_archives, fetch.vendor_cargo) == \
        (tmp_path / "sources", (str(tmp_path / "mirror"),), ("file:/srv/debian",), "/usr/bin/cargo")
    assert project.work_dir == tmp_path / "trees"
    assert (project.cache.local, project.cache.remote, project.cache.secret) == \
        (tmp_path / "artifacts", None, b"a cache key of at least sixteen characters")
    assert (project.native_store.path, project.native_store.trusted_keys) == \
        (tmp_path / "native", tmp_path / "allowed_signers")
    # The defaults live in the checkout, whatever this process's environment says.
    plain = Project(tmp_path, Settings(cache_key="a cache key of at least sixteen characters"))
    assert (plain.fetch_settings.cache_dir, plain.work_dir, plain.cache.local) == \
        (tmp_path / ".cache" / "sources", tmp_path / "build", tmp_path / ".cache" / "artifacts")


def test_bad_values_are_errors_naming_the_variable() -> None:
    with pytest.raises(InvalidInput, match=r"SOURCE_DATE_EPOCH='abc': not a whole number of seconds"):
        Settings.from_environ({"SOURCE_DATE_EPOCH": "abc"})
    with pytest.raises(InvalidInput, match=r"WASMIMAGE_CACHE_REGISTRY: 'http:///': want a registry"):
        Cache.from_settings(Settings(cache_registry="http:///", cache_key="x" * 16), Path("unused"))
    with pytest.raises(InvalidInput, match=r"no registry to publish to: set WASMIMAGE_REGISTRY="):
        Target.from_settings(Settings())
    with pytest.raises(InvalidInput, match=r"WASMIMAGE_REGISTRY: 'https://': want a registry"):
        Target.from_settings(Settings(registry="https://"))


@pytest.mark.parametrize("command", [[sys.executable, "-m", "wasmimage", "pull", "127.0.0.1:1/wasm/x:1"],
                                     [sys.executable, "-m", "doit", "list"]])
def test_entry_points_stop_on_a_bad_value_before_any_work(command: list[str]) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "abc", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "SOURCE_DATE_EPOCH='abc': not a whole number of seconds" in done.stderr
    assert "Traceback" not in done.stderr
