"""The per-call half of the cpython image's snapshot (snapshot.c; docs/snapshot.md).

The snapshot booted the interpreter once, at build time; each call starts from a fresh copy
of that memory. What `python /script/main.py ARGS` would have set up from the call's own
inputs is set here, just before the script runs: sys.argv, the environment, __main__, and
fresh randomness (the snapshot's generator was seeded at build time, from zeros).
"""

import atexit
import importlib
import linecache
import os
import sys

# Done once, at build time, so that no call pays for them (fuel per first use, measured from the
# snapshot): the first compile() of source text creates the AST's node types (20 M wasm
# operators, most of a trivial Wikifunctions request); each of these modules costs a call that
# imports it from 0.4 M (math) to 151 M (dataclasses). Imported here, they are in sys.modules from
# the start, as if an earlier line of the script had imported them; `random` is reseeded per call.
compile("", "<wasmimage warm-up>", "exec")
WARM_MODULES = ("bisect", "calendar", "copy", "dataclasses", "datetime", "decimal", "fractions", "heapq", "math",
                "random", "statistics", "string", "textwrap", "typing", "unicodedata")
for _name in WARM_MODULES:
    importlib.import_module(_name)

_main = sys.modules["__main__"]
_blank_main = dict(_main.__dict__)


def prepare(filename, source, argv, env):
    """The globals the script runs in. argv: the call's arguments after the interpreter's
    path; env: its "NAME=value" entries (bytes)."""
    sys.argv[:] = argv
    for entry in env:
        name, _, value = entry.partition(b"=")
        os.environb[name] = value
    script_dir = os.path.dirname(filename)
    if sys.path[:1] != [script_dir]:
        sys.path.insert(0, script_dir)
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    text = source.decode("utf-8", "replace")
    linecache.cache[filename] = (len(source), None, text.splitlines(True), filename)
    _main.__dict__.clear()
    _main.__dict__.update(_blank_main, __file__=filename, __cached__=None)
    return _main.__dict__


def finish():
    """What the interpreter does at exit, short of tearing itself down: the instance goes."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
