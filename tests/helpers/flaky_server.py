"""A scriptable HTTP server on 127.0.0.1 for fetch and fault tests.

Each path gets a list of behaviours; request N to that path gets behaviour N, and the
last one repeats. Every request is counted and recorded (path and headers), so a test
can assert that fetch retried, resumed or never asked at all.

    server.route("/a.tar.gz", Fail(503, times=2), Serve(data))   # 503, 503, then the bytes
    server.route("/b.tar.gz", Drop(data, after=1000), Serve(data))
    server.count("/a.tar.gz") == 3

Stalls wait on an event that `stop()` sets, so the server always shuts down promptly.
Only the loopback address is used.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Behaviour:
    """What the server does for one request."""

    def respond(self, handler: _Handler, server: FlakyServer) -> None:
        raise NotImplementedError


@dataclass
class Serve(Behaviour):
    """200 with these bytes and a strong ETag; honours `Range: bytes=N-` with a matching
    (or no) If-Range by a 206, unless ranges=False."""

    data: bytes
    ranges: bool = True
    etag: bool = True
    content_type: str = "application/octet-stream"

    def respond(self, handler, server):
        start = 0
        wanted = handler.headers.get("Range")
        match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
        if_range = handler.headers.get("If-Range")
        fresh = if_range is None or if_range == _etag(self.data)
        if self.ranges and match and fresh and int(match.group(1)) < len(self.data):
            start = int(match.group(1))
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(self.data) - 1}/{len(self.data)}")
        else:
            handler.send_response(200)
        if self.ranges:
            handler.send_header("Accept-Ranges", "bytes")
        if self.etag:
            handler.send_header("ETag", _etag(self.data))
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(self.data) - start))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(self.data[start:])


@dataclass
class Status(Behaviour):
    """An error status with a short body (404, 403, 500, ...)."""

    code: int

    def respond(self, handler, server):
        body = f"status {self.code}\n".encode()
        handler.send_response(self.code)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def Fail(code: int, times: int) -> list[Behaviour]:  # capitalised: reads like a behaviour
    """`times` answers with `code` (e.g. 500 or 503)."""
    return [Status(code)] * times


@dataclass
class Drop(Behaviour):
    """Promise all of data, send the first `after` bytes, then reset the connection."""

    data: bytes
    after: int
    etag: bool = True

    def respond(self, handler, server):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(self.data)))
        if self.etag:
            handler.send_header("Accept-Ranges", "bytes")
            handler.send_header("ETag", _etag(self.data))
        handler.end_headers()
        handler.wfile.write(self.data[:self.after])
        handler.wfile.flush()
        _abort(handler)


@dataclass
class ShortBody(Behaviour):
    """A Content-Length `extra` bytes larger than the body, then a clean close."""

    data: bytes
    extra: int = 100

    def respond(self, handler, server):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(self.data) + self.extra))
        handler.end_headers()
        handler.wfile.write(self.data)
        handler.wfile.flush()
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_WR)


@dataclass
class Stall(Behaviour):
    """Send `head` bytes of data (with headers promising all of it), then go silent.

    With head=None nothing at all is sent, not even the status line. The stall lasts
    `seconds` or until the server stops, whichever comes first.
    """

    data: bytes = b""
    head: int | None = None
    seconds: float = 60.0

    def respond(self, handler, server):
        if self.head is not None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(self.data)))
            handler.send_header("ETag", _etag(self.data))
            handler.end_headers()
            handler.wfile.write(self.data[:self.head])
            handler.wfile.flush()
        server.stopping.wait(self.seconds)
        _abort(handler)


@dataclass
class Flood(Behaviour):
    """200 with no Content-Length (or a false, huge one), then filler until the client hangs up or
    `limit` bytes are out; `sent` counts what went out, to show where a client stopped reading."""

    declared: int | None = None
    limit: int = 256 << 20
    sent: int = 0

    def respond(self, handler, server):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        if self.declared is not None:
            handler.send_header("Content-Length", str(self.declared))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        chunk = b" " * (1 << 16)
        while self.sent < self.limit and not server.stopping.is_set():
            handler.wfile.write(chunk)
            self.sent += len(chunk)


@dataclass
class Trickle(Behaviour):
    """200 promising `length` bytes, then one byte every `interval` seconds (each read gets data
    before any per-read timeout), for at most `seconds`."""

    length: int = 1000
    interval: float = 0.2
    seconds: float = 60.0

    def respond(self, handler, server):
        handler.send_response(200)
        handler.send_header("Content-Length", str(self.length))
        handler.end_headers()
        for _ in range(min(self.length, int(self.seconds / self.interval))):
            if server.stopping.wait(self.interval):
                break
            handler.wfile.write(b" ")
            handler.wfile.flush()
        _abort(handler)


@dataclass
class TrickleHead(Behaviour):
    """The status line and then header bytes, one every `interval` seconds, never ending the head
    (for at most `seconds`)."""

    interval: float = 0.2
    seconds: float = 60.0

    def respond(self, handler, server):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        for _ in range(int(self.seconds / self.interval)):
            if server.stopping.wait(self.interval):
                break
            handler.wfile.write(b"a")
            handler.wfile.flush()
        _abort(handler)


@dataclass
class Redirect(Behaviour):
    """302 to another location (a path on this server or a full URL)."""

    location: str
    code: int = 302

    def respond(self, handler, server):
        handler.send_response(self.code)
        handler.send_header("Location", self.location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


def _abort(handler: BaseHTTPRequestHandler) -> None:
    """Reset the TCP connection (RST, not FIN) so the client sees a broken transfer."""
    handler.close_connection = True
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.connection.close()
    except OSError:
        pass


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self):  # http.server's naming
        flaky = self.server.flaky
        path = self.path.split("?", 1)[0]
        behaviour = flaky._next(path, dict(self.headers.items()))
        try:
            behaviour.respond(self, flaky)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_HEAD = do_GET

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up mid-answer, as clients that refuse a body do on purpose

    def log_message(self, format, *args):  # quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    flaky: FlakyServer


@dataclass
class FlakyServer:
    host: str = "127.0.0.1"
    routes: dict[str, list[Behaviour]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self._httpd = _Server((self.host, 0), _Handler)  # port 0: a free port
        self._httpd.flaky = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="flaky-server", daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *behaviours: Behaviour | list[Behaviour]) -> str:
        """Script a path; returns its URL. Replaces any earlier script and resets its count."""
        flat: list[Behaviour] = []
        for b in behaviours:
            flat.extend(b if isinstance(b, list) else [b])
        if not flat:
            raise ValueError("a route needs at least one behaviour")
        with self._lock:
            self.routes[path] = flat
            self._served[path] = 0
        return self.url(path)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next(self, path: str, headers: dict[str, str]) -> Behaviour:
        with self._lock:
            self.requests.append(Request(path, headers))
            script = self.routes.get(path)
            if script is None:
                return Status(404)
            index = self._served[path]
            self._served[path] = index + 1
            return script[min(index, len(script) - 1)]

    def start(self) -> FlakyServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
