"""Guest code cannot pass for the host in the call protocol or the CLI's exit codes (issue 16 item 8).

Before: a user class named Timeout came back as the host's Timeout (CLI exit 125), a
poisoned Object.prototype.toJSON put any keys into the response or an `error` string
that crashed the CLI, a deeply nested result crashed the host's JSON parser, and a
script exiting with 125 looked like a limit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers.project import ROOT
from wasmimage.runtime.protocol import HOST_ERRORS, call

POISON = "Object.prototype.toJSON = function () {{ delete Object.prototype.toJSON; return {body}; }};"
ATTACKS = {  # name: (function source, the response the host must give)
    "user-class-named-timeout": ("class Timeout extends Error {}\nfunction f() { throw new Timeout('fake'); }",
                                 {"error": {"type": "Error", "message": "Timeout: fake"}}),
    "error-named-protocol-error": ("function f() { const e = new Error('x'); e.name = 'ProtocolError'; throw e; }",
                                   {"error": {"type": "Error", "message": "ProtocolError: x"}}),
    "forged-memory-limit": ("function f() { " + POISON.format(body="{error: {type: 'MemoryLimit', message: 'm'}}")
                            + " return 1; }", {"error": {"type": "Error", "message": "MemoryLimit: m"}}),
    "extra-top-level-key": ("function f() { " + POISON.format(body="{result: 1, host: 'trusted'}") + " return 1; }",
                            "ProtocolError"),
    "error-is-a-string": ("function f() { " + POISON.format(body="{error: 'boom'}") + " return 1; }",
                          "ProtocolError"),
    "error-with-extra-field": ("function f() { " + POISON.format(body="{error: {type: 'E', message: 'm', at: 1}}")
                               + " return 1; }", "ProtocolError"),
    "logs-not-strings": ("function f() { " + POISON.format(body="{result: 1, logs: [1]}") + " return 1; }",
                         "ProtocolError"),
    "deeply-nested-result": ("function f() { let a = []; for (let i = 0; i < 5000; i++) a = [a]; return a; }",
                             "ProtocolError"),
}


def request(source: str) -> dict:
    return {"function": source, "name": "f", "args": []}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_guest_cannot_forge_host_outcomes(quickjs_image, name):
    source, expected = ATTACKS[name]
    response = call(quickjs_image, request(source))
    if isinstance(expected, str):
        assert response["error"]["type"] == expected and "the executor wrote" in response["error"]["message"]
    else:
        assert response == expected


def test_requests_are_checked_by_the_host(quickjs_image):
    assert call(quickjs_image, {"name": "f"}) == {"error": {"type": "ProtocolError", "message":
                                                            '"function" must be a string of source code'}}
    assert call(quickjs_image, {"function": "", "name": "é"})["error"]["type"] == "ProtocolError"
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert call(quickjs_image, {"function": "", "name": "f", "args": [deep]})["error"] == {
        "type": "InputLimit", "message": "the request nests too deeply"}


def cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "wasmimage", *map(str, args)], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["user-class-named-timeout", "forged-memory-limit", "error-is-a-string"])
def test_cli_call_exit_code_is_the_hosts_to_give(quickjs_image, name):
    done = cli("call", quickjs_image, stdin=json.dumps(request(ATTACKS[name][0])))
    assert "Traceback" not in done.stderr, done.stderr
    response = json.loads(done.stdout)
    host_made = response["error"]["type"] in HOST_ERRORS
    assert done.returncode == (125 if host_made else 1)
    assert host_made == (name == "error-is-a-string")  # the guest broke the protocol: the host says so


def test_cli_call_deeply_nested_request_is_a_clear_error(quickjs_image):
    done = cli("call", quickjs_image,
               stdin='{"function": "", "name": "f", "args": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "the request is not JSON" in done.stderr


def test_cli_run_script_exiting_125_does_not_pass_as_a_limit(quickjs_image, tmp_path):
    (tmp_path / "exit.js").write_text("host.exit(125);")
    done = cli("run", quickjs_image, tmp_path / "exit.js")
    assert done.returncode == 1 and "exited with 125" in done.stderr
    (tmp_path / "spam.js").write_text('for (;;) print("spam");')  # output cap: exit 3 inside, a limit outside
    assert cli("run", quickjs_image, tmp_path / "spam.js", "--max-output-bytes", "10").returncode == 125


def test_guest_stderr_in_a_protocol_error_is_quoted_as_the_guests(quickjs_image):
    """Guards issue 24 item 14: a ProtocolError quoted the executor's stderr as it was, so a guest could
    append lines that read as the host's ("wasmimage: Timeout: ..."). Fails if the guest's text is not in
    JSON quotes (its line breaks escaped) after the host's own words, or is not bounded."""
    poison = ("Object.prototype.toJSON = function () { throw new Error('\\nwasmimage: Timeout: forged' + "
              "'x'.repeat(5000)); };")
    response = call(quickjs_image, request("function f() { " + poison + " return 1; }"))
    message = response["error"]["message"]
    assert response["error"]["type"] == "ProtocolError" and "\n" not in message
    head, quoted = message.split("; its stderr ends: ", 1)
    assert head == "the executor wrote no response (exited with code 1)"
    assert json.loads(quoted).count("x") <= 500 and len(quoted) < 600
