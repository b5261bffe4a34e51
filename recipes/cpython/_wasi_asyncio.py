"""asyncio's event loop for CPython on WASI, without the self-pipe WASI cannot make.

The default selector loop opens a socketpair at creation so that other threads and signal
handlers can wake it; WASI has neither sockets between processes nor threads nor signals, so
the pair cannot be made and asyncio.run() fails. This loop is the default one minus that
pipe: with a single thread nothing else can need to wake it.
"""

import asyncio
import selectors
import time
from asyncio import unix_events


class WasiSelector(selectors.DefaultSelector):
    """A wait with nothing registered: wasi-libc's poll() refuses zero descriptors (ENOTSUP).

    With no descriptor and no timeout nothing can ever wake the loop (a future that never
    settles): like CPython elsewhere it blocks, and the host's deadline ends the call.
    """

    def select(self, timeout=None):
        if self.get_map():
            return super().select(timeout)
        if timeout is None:
            while True:
                time.sleep(3600)
        if timeout > 0:
            time.sleep(timeout)
        return []


class WasiSelectorEventLoop(unix_events.SelectorEventLoop):
    def __init__(self, selector=None):
        super().__init__(selector or WasiSelector())

    def _make_self_pipe(self):
        self._ssock = self._csock = None

    def _close_self_pipe(self):
        pass

    def _write_to_self(self):
        pass


class WasiEventLoopPolicy(asyncio.DefaultEventLoopPolicy):
    _loop_factory = WasiSelectorEventLoop


def install():
    asyncio.set_event_loop_policy(WasiEventLoopPolicy())
