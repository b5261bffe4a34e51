"""Every error a user can cause has a kind: the base class PipelineError is caught, never raised.

A kind tells the person (and a script, by exit code) what to do next: fix the input, provide
what is missing, retry later, distrust the bytes, read the failed step's log, or rebuild. The
base class says none of these, so no module in wasmimage/ may make one; the README's table of
exit codes lists exactly the kinds wasmimage/errors.py defines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpers.project import ROOT
from wasmimage import errors
from wasmimage.cli import main
from wasmimage.errors import InvalidInput, NotFound, PipelineError

BASE = PipelineError.__name__
KINDS = {cls.__name__: cls.exit_code for cls in vars(errors).values()
         if isinstance(cls, type) and issubclass(cls, PipelineError) and cls is not PipelineError}
TABLE_ROW = re.compile(r"^\| `(\w+)` \| (\d+) \| .+ \|$", re.MULTILINE)


def _names_base(node: ast.expr) -> bool:
    """`PipelineError` or `errors.PipelineError`."""
    return (isinstance(node, ast.Name) and node.id == BASE) or (isinstance(node, ast.Attribute) and node.attr == BASE)


def base_class_raises(root: Path = ROOT) -> list[str]:
    """file:line of every `raise PipelineError(...)`, bare `raise PipelineError` or other call making one."""
    found = []
    for path in sorted((root / "wasmimage").rglob("*.py")):
        lines = sorted(node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
                       if (isinstance(node, ast.Call) and _names_base(node.func))
                       or (isinstance(node, ast.Raise) and node.exc is not None and _names_base(node.exc)))
        found += [f"{path.relative_to(root)}:{line}" for line in lines]
    return found


def test_no_module_raises_the_base_class():
    found = base_class_raises()
    assert not found, (f"{len(found)} raise(s) of the base class; raise the kind that fits "
                       f"({', '.join(KINDS)}: see wasmimage/errors.py):\n  " + "\n  ".join(found))


def test_the_check_sees_a_base_class_raise(tmp_path):
    """Control: the walk finds both spellings in a module laid out as wasmimage/ is."""
    (tmp_path / "wasmimage").mkdir()
    (tmp_path / "wasmimage" / "bad.py").write_text(
        "from wasmimage import errors\n"
        "from wasmimage.errors import NotFound, PipelineError\n"
        "def f(x):\n"
        "    if x:\n"
        "        raise PipelineError('a')\n"
        "    try:\n"
        "        raise NotFound('b')\n"
        "    except PipelineError:\n"
        "        raise errors.PipelineError('c') from None\n")
    assert base_class_raises(tmp_path) == ["wasmimage/bad.py:5", "wasmimage/bad.py:9"]


def test_every_kind_has_its_own_exit_code_apart_from_the_commands_own():
    """0 is success, 1 the guest's error and 125 a limit (cli.py): no kind may read as one of them."""
    assert set(KINDS) >= {"InvalidInput", "NotFound", "Unavailable", "Tampered", "StepFailed", "Stale"}
    assert len(set(KINDS.values())) == len(KINDS), KINDS
    assert not set(KINDS.values()) & {0, 1, 125}


def test_the_readme_table_lists_every_kind_with_its_exit_code():
    rows = {name: int(code) for name, code in TABLE_ROW.findall((ROOT / "README.md").read_text(encoding="utf-8"))}
    assert rows == KINDS, "README.md's table of exit codes and wasmimage/errors.py disagree"


def test_the_cli_exits_with_the_kind_of_its_error(tmp_path, capsys):
    """A malformed reference, a layout that is not there, a request file that is not there."""
    assert main(["pull", "Registry.example/UPPER:tag"]) == InvalidInput.exit_code
    assert main(["pull", f"oci-layout:{tmp_path / 'none'}:1.0"]) == NotFound.exit_code
    assert main(["call", str(tmp_path), str(tmp_path / "request.json")]) == NotFound.exit_code
    (tmp_path / "request.json").write_text("{")
    assert main(["call", str(tmp_path), str(tmp_path / "request.json")]) == InvalidInput.exit_code
    errors_shown = capsys.readouterr().err.splitlines()
    assert len(errors_shown) == 4 and all(line.startswith("wasmimage: error: ") for line in errors_shown), errors_shown
