"""asyncio's event loop for CPython on WASI, without the self-pipe WASI cannot make.

The default selector loop opens a socketpair at creation so that other threads and signal
handlers can wake it; WASI has neither sockets between processes nor threads nor signals, so
the pair cannot be made and asyncio.run() fails. This loop is the default one minus that
pipe: with a single thread nothing else can need to wake it.
"""

import asyncio
from asyncio import selector_events, unix_events


class WasiSelectorEventLoop(unix_events.SelectorEventLoop):
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
