"""The per-call half of the rustpython image's snapshot (main.rs; docs/snapshot.md).

The snapshot made the interpreter once, at build time, with no arguments and no environment;
each call starts from a fresh copy of that memory. What `rustpython /script/main.py ARGS`
would have taken from the call's own inputs is set here, just before the script runs:
sys.argv (and what the interpreter derives from its own argv[0]), the environment, and fresh
randomness (a generator seeded at build time was seeded from zeros). Not in sys.modules.
"""

import os
import sys


def prepare(argv, environ):
    """argv: the call's arguments, the interpreter's path first; environ: its (name, value) bytes."""
    sys.argv[:] = argv[1:]
    sys.orig_argv = argv
    sys.executable = sys._base_executable = argv[0] if argv else ""
    data = os.environ._data  # what os.environ and os.environb wrap; libc holds the same already
    data.clear()
    data.update(environ)
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
