"""Record what the Wikifunctions evaluator's own executors answer to some of our suite cases.

usage: .venv/bin/python scripts/evaluator_answers.py EVALUATOR_CHECKOUT

EVALUATOR_CHECKOUT is a work tree of the evaluator (mediawiki-services-function-evaluator), the
directory holding executors/python3 and executors/javascript. The cases named in
conformance/wikifunctions/evaluator/cases.yaml are sent, one process each, to its Python executor
(under this Python) and its JavaScript executor (under node), and what they answer is written to
conformance/wikifunctions/evaluator/answers.json: per language and case, Z22K1 with every Z1K1
stripped (the evaluator's own rule for comparing results) and the error message, or why there
was no answer. tests/unit/test_wikifunctions_evaluator.py holds our suites' expectations to it.

The JavaScript executor needs two modules the checkout does not hold: function-schemata (a git
submodule: isString, convertItemArrayToZList, makeMappedResultEnvelope) and the npm package
json-stable-stringify-without-jsonify. Both get small stand-ins, written here, in a temporary
copy of the executor; they build only the Z22 envelope and the list links, which the stripped
comparison reads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from wasmimage import files

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "conformance" / "wikifunctions"
CASES = SUITES / "evaluator" / "cases.yaml"
ANSWERS = SUITES / "evaluator" / "answers.json"
TIMEOUT = 30
JAVASCRIPT_FILES = ("executor.js", "serialization.js", "utils.js", "ztypes.js")

FUNCTION_SCHEMATA_STAND_IN = r"""'use strict';
// Stand-in for the function-schemata functions the executor imports (scripts/evaluator_answers.py).
const isString = (s) => typeof s === 'string' || s instanceof String;
const ref = (id) => ({ Z1K1: 'Z9', Z9K1: id });
const typed = (fn, args) => Object.assign({ Z1K1: ref('Z7'), Z7K1: ref(fn) }, args);

const zlist = (items, type) =>
  (items.length ? { Z1K1: type, K1: items[0], K2: zlist(items.slice(1), type) } : { Z1K1: type });

function convertItemArrayToZList(items) {
  const types = new Set(items.map((item) => JSON.stringify(item.Z1K1)));
  const element = types.size === 1 ? items[0].Z1K1 : 'Z1';
  return zlist(items, typed('Z881', { Z881K1: isString(element) ? ref(element) : element }));
}

function makeMappedResultEnvelope(result = null, metadata = null) {
  let map = ref('Z24');
  if (metadata !== null) {
    const pair = typed('Z882', { Z882K1: ref('Z6'), Z882K2: ref('Z1') });
    const entry = { Z1K1: pair, K1: { Z1K1: 'Z6', Z6K1: 'errors' }, K2: metadata };
    map = {
      Z1K1: typed('Z883', { Z883K1: ref('Z6'), Z883K2: ref('Z1') }),
      K1: zlist([entry], typed('Z881', { Z881K1: pair })),
    };
  }
  return { Z1K1: ref('Z22'), Z22K1: result === null ? ref('Z24') : result, Z22K2: map };
}

module.exports = { isString, convertItemArrayToZList, makeMappedResultEnvelope };
"""

STABLE_STRINGIFY_STAND_IN = r"""'use strict';
// Stand-in for json-stable-stringify-without-jsonify: JSON with every object's keys sorted.
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
}
module.exports = (value) => JSON.stringify(sorted(value));
"""


def without_z1k1s(z: Any) -> Any:
    """The evaluator's comparison rule (its executors' tests): drop Z1K1 from every object."""
    if isinstance(z, dict):
        return {key: without_z1k1s(value) for key, value in z.items() if key != "Z1K1"}
    return z


def error_message(z22: dict[str, Any]) -> str | None:
    """The message of the Z5 under "errors" in a Z22's metadata map, or None."""
    tail = z22.get("Z22K2", {}).get("K1") if isinstance(z22.get("Z22K2"), dict) else None
    while isinstance(tail, dict) and "K1" in tail:
        entry = tail["K1"]
        if entry.get("K1", {}).get("Z6K1") == "errors":
            message = entry.get("K2", {}).get("Z5K2", {})
            return message.get("Z6K1") if isinstance(message, dict) else message
        tail = tail.get("K2")
    return None


def answer(command: list[str], cwd: Path, request: dict[str, Any]) -> dict[str, Any]:
    """What one run of an executor answers: the stripped Z22K1 and the error, or why nothing.
    A fixed hash seed: the evaluator returns a Python set as iterated, which would differ from
    run to run (51_sets_are_lists)."""
    try:
        done = subprocess.run(command, cwd=cwd, input=json.dumps(request) + "\n\n", capture_output=True, text=True,
                              timeout=TIMEOUT, check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return {"no_answer": f"no answer within {TIMEOUT} s"}
    lines = done.stdout.splitlines()
    try:
        z22 = json.loads(lines[0])
    except (IndexError, ValueError):
        last = (done.stderr.strip().splitlines() or [""])[-1]
        return {"no_answer": f"exit code {done.returncode}, stdout {done.stdout[:200]!r}: {last[:300]}"}
    error = error_message(z22)
    if error is not None:  # a Python repr's address changes from run to run
        error = re.sub(r" at 0x[0-9a-f]+>", " at 0x...>", error)
    return {"Z22K1": without_z1k1s(z22.get("Z22K1")), "error": error}


def javascript_executor(checkout: Path, scratch: Path) -> Path:
    """A copy of the evaluator's JavaScript executor with the stand-ins it imports."""
    for name in JAVASCRIPT_FILES:
        shutil.copy(checkout / "executors" / "javascript" / name, scratch / name)
    schemata = scratch / "function-schemata" / "javascript" / "src"
    schemata.mkdir(parents=True)
    (schemata / "utils.js").write_text(FUNCTION_SCHEMATA_STAND_IN)
    package = scratch / "node_modules" / "json-stable-stringify-without-jsonify"
    package.mkdir(parents=True)
    (package / "index.js").write_text(STABLE_STRINGIFY_STAND_IN)
    return scratch / "executor.js"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not (Path(argv[1]) / "executors" / "python3" / "executor.py").is_file():
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print("error: give the evaluator's work tree (it holds executors/python3/executor.py)", file=sys.stderr)
        return 2
    checkout = Path(argv[1]).resolve()
    if shutil.which("node") is None:
        print("error: the JavaScript executor runs under node, which is not on PATH", file=sys.stderr)
        return 2
    listed = yaml.safe_load(CASES.read_text())
    answers: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        commands = {"python": ([sys.executable, "-m", "python3.executor"], checkout / "executors"),
                    "javascript": (["node", str(javascript_executor(checkout, Path(scratch)))], Path(scratch))}
        for language, (command, cwd) in commands.items():
            names = sorted({*listed[language]["compare"], *listed[language].get("excluded", {})})
            answers[language] = {}
            for name in names:
                request = yaml.safe_load((SUITES / language / f"{name}.yaml").read_text())["request"]
                answers[language][name] = answer(command, cwd, request)
                print(f"{language} {name}: {json.dumps(answers[language][name], ensure_ascii=False)[:160]}")
    files.write_json(ANSWERS, answers)
    print(f"wrote {ANSWERS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
