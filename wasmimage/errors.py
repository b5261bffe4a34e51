"""The one exception type a user sees: its message says what is wrong and where."""


class PipelineError(Exception):
    """A problem with input, environment or artifacts, worded for the person running the build."""
