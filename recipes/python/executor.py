# executor.py: the Python images' side of the function-call protocol (wasmimage/runtime/protocol.py),
# shared by every Python recipe (run.executor: python/executor.py).
#
# Reads one JSON request from stdin:
#   {"function": "<Python source defining the function>", "name": "<function name>", "args": [JSON values]}
# runs the source in a fresh namespace, calls what it defines under `name` with `args` (running
# the result with asyncio.run if it is a coroutine) and writes exactly one JSON response, and
# nothing else, to stdout:
#   {"result": <the return value as json.dumps renders it; None becomes null>}
#   {"error": {"type": "ValueError", "message": "..."}}
# `type` is the exception's class name and `message` its str(). A syntax error in the source is
# a SyntaxError whose message carries the line ("invalid syntax (line 1)"), an undefined
# `name` a NameError, a name bound to something not callable a TypeError, a result JSON
# cannot carry a TypeError or ValueError with this executor's own message (so that every
# Python gives the same one), a malformed request a ProtocolError. SystemExit and
# KeyboardInterrupt raised by the function are errors like any other: the function cannot
# choose the executor's exit code. An exception class named like one of the errors only the
# host reports (Timeout, MemoryLimit, ...) is reported by its qualified name
# ("__main__.Timeout"), so user code cannot pass for the host.
#
# User output: sys.stdout and sys.stderr (and their __stdout__/__stderr__ twins) are replaced
# by a collector before user code runs, so print() and direct writes go into a "logs" array of
# lines, added to the response only when something was written. At most MAX_LOG_CHARS are
# kept; past that, output is dropped and "logs_truncated": true is added. The first
# STREAMED_LOG_CHARS are also copied to stderr, line by line as each is finished, marked: the
# host returns them as "logs" when it ends the call (a timeout, the memory cap, a trap) before
# a response.

import json
import os
import sys
import types

MAX_LOG_CHARS = 64 * 1024
STREAMED_LOG_CHARS = 8 * 1024
HOST_ERROR_TYPES = {"Timeout", "MemoryLimit", "OutputLimit", "FuelLimit", "Trap", "InputLimit", "ProtocolError"}


class LogCollector:
    """A text stream that keeps what user code writes, up to MAX_LOG_CHARS."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self):
        self.parts = []
        self.size = 0
        self.truncated = False
        self.streamed = 0
        self.unfinished = ""

    def stream(self, text):
        """Copy each finished line to stderr, marked (wasmimage/runtime/outputs.py: LOG_LINE_MARK)."""
        *lines, self.unfinished = (self.unfinished + text).split("\n")
        for line in lines:
            if self.streamed + len(line) + 2 > STREAMED_LOG_CHARS:
                self.streamed = STREAMED_LOG_CHARS
                return
            self.streamed += len(line) + 2
            try:
                os.write(2, ("\x1e" + line + "\n").encode("utf-8", "replace"))
            except OSError:  # the caller's stderr cap: the response still carries the logs
                self.streamed = STREAMED_LOG_CHARS
        self.unfinished = self.unfinished[-STREAMED_LOG_CHARS:]

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.streamed < STREAMED_LOG_CHARS:
            self.stream(text)
        if self.truncated or self.size + len(text) > MAX_LOG_CHARS:
            self.truncated = True
        else:
            self.parts.append(text)
            self.size += len(text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False

    def lines(self):
        text = "".join(self.parts)
        return text[:-1].split("\n") if text.endswith("\n") else text.split("\n") if text else []


def describe(exc):
    """The error object for an exception, computed defensively (str() of user objects can raise)."""
    cls = type(exc)
    name = cls.__name__ if isinstance(cls.__name__, str) else "Exception"
    if name in HOST_ERROR_TYPES:
        name = f"{cls.__module__}.{cls.__qualname__}"
    try:
        if isinstance(exc, SyntaxError):
            message = f"{exc.msg} (line {exc.lineno})"
        else:
            message = str(exc)
    except BaseException:
        message = "(an exception that cannot be converted to a string)"
    return {"type": name, "message": message}


def protocol_error(message):
    return {"error": {"type": "ProtocolError", "message": message}}


def reject_unserializable(value):
    raise TypeError(f"the result contains a {type(value).__name__}, which JSON cannot represent")


def encode(body):
    """The response as JSON text; what JSON cannot carry becomes an error response instead."""
    try:
        return json.dumps(body, allow_nan=False, default=reject_unserializable)
    except ValueError as exc:
        if str(exc).startswith("Out of range float"):  # the wording after it differs between versions
            exc = ValueError("the result contains NaN or an infinity, which JSON cannot represent")
        error = describe(exc)
    except RecursionError:
        error = {"type": "ValueError", "message": "the result is nested too deeply for JSON"}
    except TypeError as exc:
        error = describe(exc)
    return json.dumps({"error": error, **{k: v for k, v in body.items() if k.startswith("logs")}})


def define(source, name):
    """Run the source in a fresh namespace and return what it binds to `name`."""
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    exec(compile(source, "<function>", "exec"), namespace)
    if name not in namespace:
        raise NameError(f"name '{name}' is not defined")
    function = namespace[name]
    if not callable(function):
        raise TypeError(f"'{type(function).__name__}' object is not callable")
    return function


def call(request):
    function = define(request["function"], request["name"])
    result = function(*request.get("args", []))
    if isinstance(result, types.CoroutineType):
        import asyncio  # only now: importing it costs start-up time

        result = asyncio.run(result)
    return result


def check(request):
    """A ProtocolError response for a malformed request, or None."""
    if not isinstance(request, dict):
        return protocol_error("the request must be a JSON object")
    if not isinstance(request.get("function"), str):
        return protocol_error('"function" must be a string of source code')
    name = request.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        return protocol_error('"name" must be a Python identifier')
    if not isinstance(request.get("args", []), list):
        return protocol_error('"args" must be an array')
    return None


def respond(out, body, logs):
    if logs.parts:
        body["logs"] = logs.lines()
    if logs.truncated:
        body["logs_truncated"] = True
    out.write(encode(body) + "\n")
    out.flush()


def main():
    out = sys.stdout
    raw = sys.stdin.buffer.read()
    logs = LogCollector()
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = logs
    try:
        request = json.loads(raw)
    except ValueError as exc:
        respond(out, protocol_error(f"the request is not JSON: {exc}"), logs)
        return
    body = check(request)
    if body is None:
        try:
            body = {"result": call(request)}
        except BaseException as exc:  # SystemExit too: the function does not end the executor
            body = {"error": describe(exc)}
    respond(out, body, logs)


if __name__ == "__main__":  # a snapshot runs the top level at build time, main() per call
    main()
