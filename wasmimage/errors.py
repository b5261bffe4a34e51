"""The exceptions a user sees: each message says what is wrong and where; each kind has its exit code.

Callers choose by kind (`except NotFound`), never by message text. Everything here is
standard library only: the run-time half (wasmimage.runtime) raises these too.
"""


class PipelineError(Exception):
    """A problem with input, environment or artifacts, worded for the person running the build."""

    exit_code = 2


class InvalidInput(PipelineError):
    """A recipe, option, reference, file or response that is malformed: fix the input, then retry."""

    exit_code = 2


class NotFound(PipelineError):
    """A source, image, tag, blob or file that is not where it was asked for (HTTP 404, no such tag)."""

    exit_code = 3


class Unavailable(PipelineError):
    """A server, mirror or registry that did not answer usefully, after retries: trying later may work."""

    exit_code = 4


class Tampered(PipelineError):
    """Bytes that do not match their pinned digest, seal or signature: never used, never retried."""

    exit_code = 5


class StepFailed(PipelineError):
    """A build command, compiler, snapshot or conformance suite that ran and failed: read its log, then fix."""

    exit_code = 6


class Stale(PipelineError):
    """An artifact that no longer matches what it was made from (changed, or other inputs): rerun its stage."""

    exit_code = 7
