"""The shared foundations: one retry policy, one logger, and the CLI exit code of an error kind
(the kinds themselves: test_error_kinds.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wasmimage import log, retry
from wasmimage.errors import InvalidInput, NotFound, Unavailable


def test_retries_transient_failures_then_succeeds(capsys):
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise retry.Transient("HTTP 503")
        return "body"

    assert retry.with_retries(flaky, "GET /x", retry.Backoff(attempts=4, first_delay=0.001), stage="fetch") == "body"
    assert len(calls) == 3
    assert capsys.readouterr().err.count("[fetch] GET /x: HTTP 503; retrying") == 2


def test_gives_up_as_unavailable_after_the_last_attempt():
    calls = []

    def down() -> None:
        calls.append(1)
        raise retry.Transient("connection refused")

    with pytest.raises(Unavailable, match=r"GET /x: connection refused \(gave up after 3 attempts\)"):
        retry.with_retries(down, "GET /x", retry.Backoff(attempts=3, first_delay=0.001))
    assert len(calls) == 3


def test_other_failures_are_not_retried():
    calls = []

    def missing() -> None:
        calls.append(1)
        raise NotFound("GET /x: HTTP 404")

    with pytest.raises(NotFound):
        retry.with_retries(missing, "GET /x", retry.Backoff(attempts=4, first_delay=0.001))
    assert calls == [1]


def test_backoff_doubles():
    assert retry.Backoff(attempts=4, first_delay=0.5).delays() == [0.5, 1.0, 2.0]


def test_quiet_keeps_warnings_and_verbose_adds_debug(capsys):
    logger = log.get("stage")
    try:
        log.set_verbosity(-1)
        logger.info("progress")
        logger.warning("careful")
        log.set_verbosity(1)
        logger.debug("detail")
    finally:
        log.set_verbosity(0)
    logger.debug("hidden again")
    assert capsys.readouterr().err.splitlines() == ["[stage] careful", "[stage] detail"]


def test_cli_exit_code_follows_the_error_kind(tmp_path):
    """A missing image directory is NotFound or InvalidInput, never a traceback."""
    script = tmp_path / "script.py"
    script.write_text("print(1)\n")
    result = subprocess.run([sys.executable, "-m", "wasmimage", "-q", "run", str(tmp_path / "nope"), str(script)],
                            capture_output=True, text=True, check=False)
    assert result.returncode in (NotFound.exit_code, InvalidInput.exit_code), result.stderr
    assert "Traceback" not in result.stderr and f"wasmimage: error: '{tmp_path / 'nope'}'" in result.stderr
