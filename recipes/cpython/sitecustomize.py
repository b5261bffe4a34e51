"""Start-up code of the cpython image (imported by `site` from the standard library zip).

It makes asyncio usable on WASI: when a program first imports asyncio, the event loop
policy becomes one whose loop needs no self-pipe (_wasi_asyncio). Done on first import
rather than here, so that programs that never use asyncio do not pay for importing it.
"""

import sys


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
