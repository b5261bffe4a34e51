"""Start-up code of the cpython image (imported by `site` from the standard library zip; the
snapshot imported it at init, so calls start with what it set).

Output kept up to the end: stdout is not a terminal here, so CPython would block-buffer it, and
a buffer still in the guest's memory dies with the instance when the deadline, a trap or the
memory cap ends the call. Line-buffered (stderr already is), every finished line reaches the
caller. It costs a write per line: about 20 us of host CPU (100,000 lines: 2.3 s against 0.13 s
buffered; docs/cpython.md); unbuffered (-u) would write every piece a print() makes.

Memory: an uncaught MemoryError (the cap refused an allocation) ends the interpreter with one
line on stderr and exit code 4; printing its traceback needs memory there is none of (it broke off
into "lost sys.stderr" and exit code 1). The runner reports the memory_limit outcome when it
measures the guest's memory at the cap: the exit code alone is no proof, since any code can
os._exit(4). A MemoryError the program catches is its own business.

It makes asyncio usable on WASI: when a program first imports asyncio, the event loop
policy becomes one whose loop needs no self-pipe (_wasi_asyncio). Done on first import
rather than here, so that programs that never use asyncio do not pay for importing it.
"""

import os
import sys

OUT_OF_MEMORY_EXIT_CODE = 4  # as recipes/python/wikifunctions.py's

sys.stdout.reconfigure(line_buffering=True)


def _out_of_memory_ends_the_call(kind, value, traceback, _write=os.write, _exit=os._exit,
                                  _previous=sys.excepthook):
    """sys.excepthook: everything it uses is bound beforehand, so that it allocates nothing."""
    if issubclass(kind, MemoryError):
        _write(2, b"MemoryError: out of memory\n")
        _exit(OUT_OF_MEMORY_EXIT_CODE)
    _previous(kind, value, traceback)


sys.excepthook = _out_of_memory_ends_the_call


class _InstallWasiLoop:
    """A meta path finder that only watches for asyncio, then steps aside."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "asyncio":
            return None
        sys.meta_path.remove(cls)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenInstall(spec.loader)
        return spec


class _ThenInstall:
    """asyncio's own loader, which installs the WASI event loop policy once asyncio has run."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        import _wasi_asyncio

        _wasi_asyncio.install()


sys.meta_path.insert(0, _InstallWasiLoop)
