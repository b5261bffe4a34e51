"""The registry HTTP API client (distribution spec v2): auth challenges, uploads, bounded reads.

Standard library only (urllib.request for proxies and TLS, our own redirect and retry rules),
so the run-time half pulls images without requests or urllib3. Not oras-py: it brings requests
and jsonschema, and has no bounded reads, blob digest checks or referrers index. Not urllib3's
Retry: not stdlib, and it resends one request where a failed upload must restart from its POST
(docs/publishing.md has the whole evaluation).

Every answer is read under two bounds: its size (the caller's limit) and a deadline for the
whole answer, head and body, so a registry can fail a call but never hang it. 5xx, 429 and
dropped connections are retried with backoff (wasmimage.retry); a failed upload starts again
from its POST, never from a chunk.
"""

from __future__ import annotations

import base64
import functools
import http.client
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode, urljoin, urlsplit

from wasmimage import __version__, files
from wasmimage.digests import sha256_digest
from wasmimage.errors import InvalidInput, NotFound, PipelineError, Tampered, Unavailable
from wasmimage.registry.descriptors import CHUNK, INDEX_TYPE, LIMITS, MANIFEST_TYPE, Blob, PullLimits
from wasmimage.registry.reference import base_url, check_url
from wasmimage.retry import Backoff, Transient, with_retries
from wasmimage.settings import Settings

STAGE = "registry"  # log lines start with [registry]
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
_NETWORK_ERRORS = (OSError, http.client.HTTPException)  # URLError, timeouts and resets are OSErrors


@dataclass(frozen=True)
class Credentials:
    """A bearer token, or a user and password (basic, or for a token service); none by default."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        return cls(settings.registry_token, settings.registry_user, settings.registry_password)


@dataclass
class Response:
    """An answer whose status and head have arrived; the body is read through RegistryClient.chunks()."""

    method: str
    url: str  # after redirects
    status: int
    reason: str
    headers: http.client.HTTPMessage
    raw: http.client.HTTPResponse
    started: float  # time.monotonic() when it was asked for: the deadline counts from here
    content: bytes = b""  # the body, once request() has read it

    def close(self) -> None:
        self.raw.close()


def _new_opener() -> urllib.request.OpenerDirector:
    """http and https through the environment's proxies, as requests did; nothing else: no redirect
    following (done in _open, by our rules) and no exceptions for 4xx/5xx (we look at every status)."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler()):
        opener.add_handler(handler)
    opener.addheaders = [("User-Agent", f"wasmimage/{__version__}")]
    return opener


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class RegistryClient:
    registry: str
    insecure: bool = False
    credentials: Credentials = Credentials()
    attempts: int = 4
    backoff: float = 0.5  # seconds, doubled after each failed attempt
    timeout: float = 60.0  # seconds to connect, and for each read from the socket
    deadline: float = 600.0  # seconds for one whole answer: a server trickling bytes meets it
    limits: PullLimits = LIMITS
    chunk_threshold: int = 64 * CHUNK  # blobs larger than this go up in PATCH chunks of this size
    _auth: dict[str, str] = field(default_factory=dict, repr=False)  # scope -> Authorization header
    _opener: urllib.request.OpenerDirector = field(default_factory=_new_opener, init=False, repr=False)

    def __post_init__(self) -> None:
        self.base = base_url(self.registry, self.insecure)

    @property
    def policy(self) -> Backoff:
        return Backoff(self.attempts, self.backoff)

    # Requests, auth and retries.

    def request(self, method: str, path: str, scope: str, *, ok: tuple[int, ...], data: bytes | None = None,
                headers: dict[str, str] | None = None, stream: bool = False, retry: bool = True,
                body_limit: int = 64 << 10) -> Response:
        """One API call: answers a 401 challenge once, retries transient failures with backoff.

        The body is read here, at most body_limit bytes, unless stream=True (then the caller
        reads it with chunks(), under the same deadline). A 404 not in `ok` is NotFound.

        With retry=False a transient failure raises retry.Transient instead (an upload step is
        not resent on its own: the whole upload starts again).
        """
        url = urljoin(self.base, path)
        answered_challenge = False

        def attempt() -> Response:
            nonlocal answered_challenge
            response = self._send(method, url, scope, data, headers)
            if response.status == 401 and not answered_challenge:
                answered_challenge = True
                response.close()
                self._answer_challenge(response, scope)
                response = self._send(method, url, scope, data, headers)
            if response.status in ok:
                if method == "HEAD":
                    response.close()
                elif not stream:  # read now, bounded, so that a retry covers a body that breaks off
                    response.content = self.read_body(response, body_limit, url)
                return response
            if response.status >= 500 or response.status == 429:
                response.close()
                raise Transient(f"HTTP {response.status} {response.reason}")
            kind = NotFound if response.status == 404 else InvalidInput  # 401, 403, 400: retrying will not help
            raise kind(f"{method} {url}: HTTP {response.status} {response.reason}: {self._error_text(response)}")

        if retry:
            return with_retries(attempt, f"{method} {url}", self.policy, stage=STAGE)
        try:
            return attempt()
        except Transient as exc:
            raise Transient(f"{method} {url}: {exc}") from None

    def _send(self, method: str, url: str, scope: str, data: bytes | None,
              headers: dict[str, str] | None) -> Response:
        all_headers = dict(headers or {})
        auth = self._auth.get(scope) or (f"Bearer {self.credentials.token}" if self.credentials.token else None)
        if auth:
            all_headers["Authorization"] = auth
        return self._open(method, url, data, all_headers, "registry")

    def _open(self, method: str, url: str, data: bytes | None, headers: dict[str, str], what: str) -> Response:
        """One request, up to the end of the answer's head; a GET's or HEAD's redirects are followed
        (registries serve blobs from storage elsewhere), each target checked like the registry
        itself, and the Authorization header goes along only while scheme, host and port stay."""
        origin = _origin(url)
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, what, self.insecure)
            sent = headers if _origin(url) == origin else {
                name: value for name, value in headers.items() if name.lower() != "authorization"}
            request = urllib.request.Request(url, data=data, headers=sent, method=method)
            try:
                send = functools.partial(self._opener.open, request, timeout=self.timeout)
                raw, started = self._timed(f"{method} {url}", send)
            except _NETWORK_ERRORS as exc:
                raise Transient(str(exc.reason if isinstance(exc, urllib.error.URLError) else exc)) from None
            response = Response(method, url, raw.status, raw.reason, raw.headers, raw, started)
            location = raw.headers.get("Location")
            if raw.status not in REDIRECTS or method not in ("GET", "HEAD") or not location:
                return response
            response.close()  # a redirect's body is never read
            url = urljoin(url, location)
        raise InvalidInput(f"{method} {url}: more than {MAX_REDIRECTS} redirects; giving up")

    def _timed(self, what: str, send: Callable[[], http.client.HTTPResponse]) -> tuple[http.client.HTTPResponse,
                                                                                         float]:
        """send() on a helper thread, given up after `deadline` seconds: a server trickling its status
        line and headers byte by byte would otherwise never end (each read gets its byte in time).
        Returns the answer and when it was asked for, for chunks()' deadline on the body."""
        outcome: list[http.client.HTTPResponse | BaseException] = []

        def run() -> None:
            try:
                outcome.append(send())
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        started = time.monotonic()
        worker = threading.Thread(target=run, name="wasmimage-registry-request", daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():  # the stuck connection stays with the abandoned thread
            raise Unavailable(f"{what}: no complete answer within {self.deadline:.0f}s; giving up")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0], started

    def chunks(self, response: Response, limit: int, what: str) -> Iterator[bytes]:
        """The body as it arrives, one socket read at a time: more than `limit` bytes, or a transfer
        still going `deadline` seconds after the request, is an error (a byte every 20 s never ends
        a read that waits for a full buffer, so the deadline is checked between socket reads)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise InvalidInput(f"{what}: the answer is {declared} bytes, over the {limit}-byte limit; refusing it")
        received, ends = 0, response.started + self.deadline
        with response.raw:
            while True:
                if time.monotonic() > ends:
                    raise Unavailable(f"{what}: the answer took longer than {self.deadline:.0f}s "
                                      f"({received} bytes so far); giving up")
                try:
                    chunk = response.raw.read1(CHUNK)
                except _NETWORK_ERRORS as exc:
                    raise Transient(f"the transfer broke off after {received} bytes: {exc}") from None
                if not chunk:
                    if response.raw.length:  # http.client ends a short body quietly: bytes still owed
                        raise Transient(f"the transfer broke off after {received} bytes")
                    return
                received += len(chunk)
                if received > limit:
                    raise InvalidInput(f"{what}: the answer is over the {limit}-byte limit; refusing it")
                yield chunk

    def read_body(self, response: Response, limit: int, what: str) -> bytes:
        return b"".join(self.chunks(response, limit, what))

    def _error_text(self, response: Response) -> str:
        """The registry's error message, from at most error_body_bytes of its answer."""
        data = bytearray()
        try:
            for chunk in self.chunks(response, 1 << 62, response.url):
                data += chunk[:self.limits.error_body_bytes - len(data)]
                if len(data) >= self.limits.error_body_bytes:
                    break
        except (PipelineError, Transient):
            pass
        finally:
            response.close()
        try:
            errors = files.parse_json(bytes(data)).get("errors") or []
            return ("; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
                    or data[:200].decode(errors="replace"))
        except (ValueError, AttributeError, TypeError):
            return data[:200].decode(errors="replace")

    def _answer_challenge(self, response: Response, scope: str) -> None:
        """Basic: send the user and password. Bearer with a realm: fetch a token for the scope."""
        header = response.headers.get("WWW-Authenticate", "")
        kind, _, rest = header.partition(" ")
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        creds = self.credentials
        if kind.lower() == "basic":
            if not (creds.user and creds.password):
                raise InvalidInput(f"{self.base}: the registry wants a user and password; "
                                   f"set WASMIMAGE_REGISTRY_USER and WASMIMAGE_REGISTRY_PASSWORD")
            self._auth[scope] = _basic(creds.user, creds.password)
        elif kind.lower() == "bearer" and "realm" in params:
            self._auth[scope] = "Bearer " + self._fetch_token(params, scope)
        else:
            raise InvalidInput(f"{response.method} {response.url}: HTTP 401 and no challenge we can "
                               f"answer ({header or 'no WWW-Authenticate'}); check WASMIMAGE_REGISTRY_TOKEN")

    def _fetch_token(self, challenge: dict[str, str], scope: str) -> str:
        realm = challenge["realm"]
        check_url(realm, "token service", self.insecure)  # credentials never go over plain http elsewhere
        scopes = list(dict.fromkeys(s for s in (challenge.get("scope"), scope) if s))
        url = realm + ("&" if "?" in realm else "?") + urlencode(
            {"service": challenge.get("service", ""), "scope": scopes}, doseq=True)
        creds = self.credentials
        headers = {"Authorization": _basic(creds.user, creds.password or "")} if creds.user else {}
        try:
            response = self._open("GET", url, None, headers, "token service")
            if response.status != 200:
                raise InvalidInput(f"{realm}: token request answered HTTP {response.status}: "
                                   f"{self._error_text(response)}")
            body = files.parse_json(self.read_body(response, 64 << 10, realm))
        except Transient as exc:
            raise Unavailable(f"{realm}: token request failed: {exc}") from None
        except ValueError:
            raise InvalidInput(f"{realm}: the token service's answer is not JSON") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise InvalidInput(f"{realm}: the token service sent no token")
        return token

    # The calls we need.

    def manifest(self, repository: str, reference: str) -> bytes | None:
        """The manifest's exact bytes (what its digest is taken over), or None if there is none."""
        response = self.request("GET", f"/v2/{repository}/manifests/{reference}", _pull(repository), ok=(200, 404),
                                headers={"Accept": f"{MANIFEST_TYPE}, {INDEX_TYPE}"},
                                body_limit=self.limits.manifest_bytes)
        return response.content if response.status == 200 else None

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str = MANIFEST_TYPE) -> None:
        """Store a manifest (or an index) under a tag or its digest; the registry must store our bytes."""
        response = self.request("PUT", f"/v2/{repository}/manifests/{reference}", _push(repository), ok=(201,),
                                data=data, headers={"Content-Type": media_type})
        _check_digest_header(response, sha256_digest(data))

    def blob_exists(self, repository: str, digest: str) -> bool:
        return self.request("HEAD", f"/v2/{repository}/blobs/{digest}", _push(repository),
                            ok=(200, 404)).status == 200

    def push_blob(self, repository: str, blob: Blob, path: Path) -> bool:
        """Upload a blob unless the registry has it; returns whether it was uploaded.

        A transient failure anywhere in the upload restarts it from the POST, with backoff.
        """
        if self.blob_exists(repository, blob.digest):
            return False
        with_retries(lambda: self._upload(repository, blob, path), f"uploading {blob.digest}", self.policy,
                     stage=STAGE)
        return True

    def _upload(self, repository: str, blob: Blob, path: Path) -> None:
        """POST, then one PUT, or PATCH chunks then a closing PUT for blobs over the threshold."""
        scope = _push(repository)
        location = _location(self.request("POST", f"/v2/{repository}/blobs/uploads/", scope, ok=(202,), retry=False))
        body = b""
        if blob.size > self.chunk_threshold:
            with path.open("rb") as f:
                for start in range(0, blob.size, self.chunk_threshold):
                    chunk = f.read(self.chunk_threshold)
                    response = self.request("PATCH", location, scope, ok=(202,), data=chunk, retry=False, headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Range": f"{start}-{start + len(chunk) - 1}"})
                    location = _location(response)
        else:
            body = path.read_bytes()
        separator = "&" if "?" in location else "?"
        response = self.request("PUT", f"{location}{separator}digest={blob.digest}", scope, ok=(201,), data=body,
                                headers={"Content-Type": "application/octet-stream"}, retry=False)
        _check_digest_header(response, blob.digest)

    def fetch_blob(self, repository: str, blob: Blob, dest: BinaryIO) -> None:
        """Stream a blob into dest; more than its declared size is refused (the caller checks the digest)."""
        response = self.request("GET", f"/v2/{repository}/blobs/{blob.digest}", _pull(repository), ok=(200,),
                                stream=True)
        try:
            for chunk in self.chunks(response, blob.size, f"blob {blob.digest}"):
                dest.write(chunk)
        except Transient as exc:
            raise Unavailable(f"blob {blob.digest}: {exc}") from None


def _pull(repository: str) -> str:
    return f"repository:{repository}:pull"


def _push(repository: str) -> str:
    return f"repository:{repository}:pull,push"


def _location(response: Response) -> str:
    location = response.headers.get("Location")
    if not location:
        raise InvalidInput(f"{response.method} {response.url}: the registry sent no upload Location")
    return urljoin(response.url, location)


def _check_digest_header(response: Response, digest: str) -> None:
    said = response.headers.get("Docker-Content-Digest")
    if said and said != digest:
        raise Tampered(f"{response.url}: the registry stored {said}, we sent {digest}")
