"""The call protocols an image can speak, in one table.

A protocol is a way to call a function inside an image: the image carries an executor script for
it (a recipe's `run.protocols.NAME`) that reads one request on stdin and writes one response on
stdout. Recipe validation, image writing and opening, verify and the CLI read this table; each
protocol's own module says what its requests and responses are:

  call           runtime/protocol.py       {"function", "name", "args"} -> {"result"} | {"error"}
  wikifunctions  runtime/wikifunctions.py  the Wikifunctions evaluator's executor contract (Z22)

Adding one: an entry here, its module, its suites under conformance/<suite_prefix>, and its
branch in verify.py (how a suite's cases become requests and how a response is judged).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Protocol:
    name: str  # run.protocols.NAME in a recipe; image.json's "protocols" key
    role: str  # the executor script's role in image.json ("roles")
    suite_prefix: str  # its conformance suites: conformance/<suite_prefix>LANGUAGE
    suite_required: bool  # an image that speaks it must be proven on one of its suites
    summary: str  # one line for `--protocol` help


PROTOCOLS = {p.name: p for p in (
    Protocol("call", "executor", "protocol/", False, "a JSON function call (runtime/protocol.py)"),
    Protocol("wikifunctions", "wikifunctions", "wikifunctions/", True,
             "a Wikifunctions evaluator request, answered with one Z22 line (runtime/wikifunctions.py)"),
)}


def of_suite(suite: str) -> Protocol | None:
    """The protocol a conformance suite (e.g. "wikifunctions/python") tests, or None for a language
    or hostile suite, which runs scripts."""
    return next((p for p in PROTOCOLS.values() if suite.startswith(p.suite_prefix)), None)
