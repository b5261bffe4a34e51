"""OCI images (image-spec 1.1) of image directories: layout on disk, registry client, pull.

An image directory becomes one config blob and ONE gzip'd tar layer holding its files under
/opt/wasm-images/<name>/, so a Dockerfile can `COPY --from=` it. Everything is canonical
(sorted tar entries, fixed owners, modes and times, gzip without name or time, compact JSON
with sorted keys): the same image directory always gives the same digests.

The registry client is ours, a few dozen lines over requests rather than oras-py: the
project already depends on requests, and owning the client keeps retries, chunked uploads,
auth and above all digest checks where we can see them (docs/publishing.md).

Pulling checks every blob's sha256 before it is used, extracts the layer into a
content-addressed cache and opens the result with open_image(), which checks every file.
Every read is bounded (PullLimits): a registry or layout can make a pull fail, never make it
hang, fill the memory or the disk. A pulled image's .cwasm is still not trusted: see native.py.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import ipaddress
import json
import os
import re
import shutil
import stat
import sys
import tarfile
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from wasmimage import debian_source, files
from wasmimage.errors import PipelineError
from wasmimage.image import MANIFEST, Image, open_image
from wasmimage.signing import SIGNATURE

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
IMAGES_ROOT = "opt/wasm-images"  # inside the layer, without the leading slash (tar convention)
REF_NAME = "org.opencontainers.image.ref.name"
TITLE = "org.opencontainers.image.title"
MANIFEST_SHA256 = "io.wasmimage.manifest.sha256"
ARCHITECTURES = {"x86_64": "amd64", "aarch64": "arm64", "riscv64": "riscv64", "s390x": "s390x"}
CACHE_ENV = "WASMIMAGE_OCI_CACHE"
CHUNK = 1 << 20


@dataclass(frozen=True)
class PullLimits:
    """Bounds on what a pull reads; a wasm image is tens of MiB, these are far above that."""

    manifest_bytes: int = 4 << 20  # the manifest size registries must accept (distribution spec)
    config_bytes: int = 4 << 20
    layer_bytes: int = 512 << 20  # compressed, as declared and as received
    unpacked_bytes: int = 512 << 20  # the layer once gunzipped (a gzip bomb stops here)
    tar_entries: int = 64  # an image is a few files and three directories
    error_body_bytes: int = 64 << 10  # of a registry's error answer, for the message


LIMITS = PullLimits()

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
_REPO = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def canonical_json(value: Any) -> bytes:
    """The one serialisation we digest: sorted keys, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# The image layout: what an image directory becomes.

@dataclass(frozen=True)
class Blob:
    media_type: str
    digest: str
    size: int

    def descriptor(self) -> dict:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass(frozen=True)
class Layout:
    """An OCI image layout holding one tagged image."""

    path: Path
    tag: str
    manifest: Blob
    config: Blob
    layer: Blob

    def blob_path(self, digest: str) -> Path:
        return blob_path(self.path, digest)

    @property
    def blobs(self) -> list[Blob]:
        """Push order: what a manifest refers to goes first."""
        return [self.config, self.layer]


def blob_path(root: Path, digest: str) -> Path:
    if not _DIGEST.match(digest):
        raise PipelineError(f"{digest!r} is not a sha256 digest")
    return root / "blobs" / "sha256" / digest.removeprefix("sha256:")


def layer_tar(image: Image, epoch: int) -> bytes:
    """The uncompressed layer: every file of the image under opt/wasm-images/<name>/, canonically."""
    names = sorted(image.manifest["files"]) + [MANIFEST] + ([SIGNATURE] if (image.path / SIGNATURE).is_file() else [])
    beside = image.manifest.get("provenance")  # never in the layer: a referrer of it (publish.py)
    present = sorted(p.name for p in image.path.iterdir() if p.name != beside)
    if sorted(names) != present:
        extra = sorted(set(present) - set(names))
        raise PipelineError(f"{image.path}: files not listed in {MANIFEST}: {', '.join(extra)}; refusing to publish")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        parts = f"{IMAGES_ROOT}/{image.name}".split("/")
        for depth in range(1, len(parts) + 1):
            tar.addfile(_tarinfo("/".join(parts[:depth]), tarfile.DIRTYPE, 0o755, 0, epoch))
        for name in sorted(names):
            data = (image.path / name).read_bytes()
            tar.addfile(_tarinfo(f"{IMAGES_ROOT}/{image.name}/{name}", tarfile.REGTYPE, 0o644, len(data), epoch),
                        io.BytesIO(data))
    return buffer.getvalue()


def _tarinfo(name: str, kind: bytes, mode: int, size: int, epoch: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.size, info.mtime = kind, mode, size, epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0, so the bytes depend on the content only."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="", compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()


def platform(image: Image) -> dict:
    """os/architecture of the .cwasm target (e.g. x86_64-linux -> linux/amd64)."""
    target = image.manifest["engine"]["target"]
    arch, _, os_name = target.partition("-")
    if arch not in ARCHITECTURES or os_name != "linux":
        raise PipelineError(f"{image.path}: engine.target {target!r} has no OCI platform we know")
    return {"architecture": ARCHITECTURES[arch], "os": "linux"}


def source_location(pin: dict) -> str:
    """A source pin as one URL-like string (a PyPI sdist or a crate as a package URL)."""
    if "pypi-sdist" in pin:
        name, _, version = pin["pypi-sdist"].partition("==")
        return f"pkg:pypi/{name}@{version}"
    if "crate" in pin:
        name, _, version = pin["crate"].partition("==")
        return f"pkg:cargo/{name}@{version}"
    if not (pin.get("url") or pin.get("git")) and "debian-source" in pin:
        return debian_source.purl(pin["debian-source"])
    return pin.get("url") or pin.get("git") or pin["name"]


def annotations(image: Image, epoch: int) -> dict[str, str]:
    manifest = image.manifest
    return {
        "org.opencontainers.image.created": rfc3339(epoch),
        "org.opencontainers.image.revision": str(manifest["revision"]),
        "org.opencontainers.image.source": source_location(manifest["sources"][0]),
        TITLE: manifest["name"],
        "org.opencontainers.image.version": manifest["tag"],
        "io.wasmimage.engine.config": canonical_json(manifest["engine"]["config"]).decode(),
        MANIFEST_SHA256: hashlib.sha256((image.path / MANIFEST).read_bytes()).hexdigest(),
        "io.wasmimage.wasmtime.version": manifest["engine"]["wasmtime"],
    }


def labels(image: Image) -> dict[str, str]:
    """What `skopeo inspect` shows of the image's SBOM and provenance (see referrers.py)."""
    roles = image.manifest["roles"]
    found = {}
    if "sbom" in roles:
        found["io.wasmimage.sbom"] = f"{roles['sbom']} sha256:{image.sha256('sbom')} (in the layer; also a referrer)"
    if image.manifest.get("provenance"):
        found["io.wasmimage.provenance"] = f"{image.manifest['provenance']}: an OCI referrer of this image"
    return found


def write_layout(image: Image, target: Path, epoch: int) -> Layout:
    """Write `target` as an OCI image layout of `image`, tagged with the image's tag, atomically."""
    tar = layer_tar(image, epoch)
    layer_data = gzip_bytes(tar)
    config_data = canonical_json({
        **platform(image),
        "created": rfc3339(epoch),
        "config": {"Labels": labels(image)},
        "rootfs": {"type": "layers", "diff_ids": [sha256_digest(tar)]},
        "history": [{"created": rfc3339(epoch),
                     "created_by": f"wasmimage publish {image.name}:{image.manifest['tag']}"}],
    })
    config = Blob(CONFIG_TYPE, sha256_digest(config_data), len(config_data))
    layer = Blob(LAYER_TYPE, sha256_digest(layer_data), len(layer_data))
    manifest_data = canonical_json({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": config.descriptor(), "layers": [layer.descriptor()],
        "annotations": annotations(image, epoch),
    })
    manifest = Blob(MANIFEST_TYPE, sha256_digest(manifest_data), len(manifest_data))
    tag = image.manifest["tag"]
    index = {"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": [
        {**manifest.descriptor(), "platform": platform(image), "annotations": {REF_NAME: tag}}]}

    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-"))
    try:
        (work / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))
        (work / "index.json").write_bytes(canonical_json(index))
        for blob, data in ((config, config_data), (layer, layer_data), (manifest, manifest_data)):
            path = blob_path(work, blob.digest)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        files.replace_dir(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Layout(target, tag, manifest, config, layer)


# References: what the runner and `pull` accept besides a directory.

@dataclass(frozen=True)
class Reference:
    registry: str  # host[:port], optionally with an explicit http:// or https:// scheme
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What goes after /manifests/: the digest if we have one (it pins the content)."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}" + (f"@{self.digest}" if self.digest else f":{self.tag}")


def parse_reference(ref: str) -> Reference:
    """`REGISTRY/REPO:TAG` or `REGISTRY/REPO@sha256:HEX` (REGISTRY is host[:port], as docker writes it)."""
    scheme, _, rest = ref.rpartition("://") if "://" in ref else ("", "", ref)
    registry, slash, path = rest.partition("/")
    if (not slash or not path or registry in (".", "..")
            or not ("." in registry or ":" in registry or registry == "localhost")):
        raise PipelineError(f"{ref!r}: not an image reference (want REGISTRY/REPO:TAG or REGISTRY/REPO@sha256:...)")
    digest = None
    if "@" in path:
        path, digest = path.split("@", 1)
        if not _DIGEST.match(digest):
            raise PipelineError(f"{ref!r}: {digest!r} is not a sha256 digest")
    repository, tag = path, None
    if ":" in path.rsplit("/", 1)[-1]:
        repository, tag = path.rsplit(":", 1)
        if not _TAG.match(tag):
            raise PipelineError(f"{ref!r}: {tag!r} is not a valid tag")
    if not _REPO.match(repository):
        raise PipelineError(f"{ref!r}: {repository!r} is not a valid repository name (lowercase, a-z0-9._-/)")
    if tag is None and digest is None:
        raise PipelineError(f"{ref!r}: give a tag (:TAG) or a digest (@sha256:...)")
    return Reference((f"{scheme}://" if scheme else "") + registry, repository, tag, digest)


def _host_name(host: str) -> str | None:
    """The host name of `host[:port]`, or None if it is anything more (a user name, a path, a bad port)."""
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return None
    return parts.hostname if "@" not in host and parts.netloc == host and parts.hostname else None


def is_loopback(host: str) -> bool:
    """Whether host[:port] is this machine: `localhost` or a loopback IP address, parsed, never a prefix
    (`127.0.0.1.example.org` is a DNS name, `127.0.0.1@example.org` is example.org with a user)."""
    name = _host_name(host)
    if name == "localhost":
        return True
    try:
        return name is not None and ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def base_url(registry: str, insecure: bool = False) -> str:
    """https, except for loopback registries or with insecure=True, where plain http is allowed."""
    scheme, _, host = registry.rpartition("://")
    if scheme not in ("", "http", "https"):
        raise PipelineError(f"{registry}: unknown scheme {scheme!r}")
    if "@" in host:
        raise PipelineError(f"{registry}: a registry address holds no user name or password; "
                            f"set WASMIMAGE_REGISTRY_USER and WASMIMAGE_REGISTRY_PASSWORD instead")
    if _host_name(host) is None:
        raise PipelineError(f"{registry}: not a registry host[:port]")
    if not scheme:
        scheme = "http" if is_loopback(host) else "https"
    if scheme == "http" and not (insecure or is_loopback(host)):
        raise PipelineError(f"{registry}: plain http is allowed only for 127.0.0.1/localhost; "
                            f"pass --insecure if you mean it")
    return f"{scheme}://{host}"


# The registry client (distribution API v2).

@dataclass(frozen=True)
class Credentials:
    """From the environment: a bearer token, or a user and password (basic, or for a token service)."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls) -> Credentials:
        env = os.environ
        return cls(env.get("WASMIMAGE_REGISTRY_TOKEN") or None, env.get("WASMIMAGE_REGISTRY_USER") or None,
                   env.get("WASMIMAGE_REGISTRY_PASSWORD") or None)


class TransientError(Exception):
    """A 5xx, 429 or dropped connection: worth another attempt."""


@dataclass
class RegistryClient:
    registry: str
    insecure: bool = False
    credentials: Credentials = field(default_factory=Credentials.from_env)
    attempts: int = 4
    backoff: float = 0.5  # seconds, doubled after each failed attempt
    timeout: float = 60.0  # seconds to connect, and for each read from the socket
    deadline: float = 600.0  # seconds for one whole answer: a server trickling bytes meets it
    limits: PullLimits = LIMITS
    chunk_threshold: int = 64 * CHUNK  # blobs larger than this go up in PATCH chunks of this size
    _session: requests.Session = field(default_factory=requests.Session, repr=False)
    _auth: dict[str, str] = field(default_factory=dict, repr=False)  # scope -> Authorization header

    def __post_init__(self) -> None:
        self.base = base_url(self.registry, self.insecure)

    # Requests, auth and retries.

    def request(self, method: str, path: str, scope: str, *, ok: tuple[int, ...], data: bytes | None = None,
                headers: dict[str, str] | None = None, stream: bool = False, retry: bool = True,
                body_limit: int = 64 << 10) -> requests.Response:
        """One API call: answers a 401 challenge once, retries transient failures with backoff.

        The body is read here, at most body_limit bytes, unless stream=True (then the caller
        reads it with chunks(), under the same deadline).

        With retry=False a transient failure raises TransientError instead (an upload step is
        not resent on its own: the whole upload starts again).
        """
        url = urljoin(self.base, path)
        delay, answered_challenge = self.backoff, False
        attempt = 1
        while True:
            try:
                response = self._send(method, url, scope, data, headers)
                if response.status_code == 401 and not answered_challenge:
                    answered_challenge = True
                    response.close()
                    self._answer_challenge(response, scope)
                    continue
                if response.status_code in ok:
                    if not stream:  # read now, bounded, so a retry covers a body that breaks off
                        response._content = self.read_body(response, body_limit, url)  # what .content returns
                    return response
                if response.status_code >= 500 or response.status_code == 429:
                    response.close()
                    raise TransientError(f"HTTP {response.status_code} {response.reason}")
                raise PipelineError(f"{method} {url}: HTTP {response.status_code} {response.reason}: "
                                    f"{self._error_text(response)}")
            except (TransientError, requests.ConnectionError, requests.Timeout) as exc:
                if not retry:
                    raise TransientError(f"{method} {url}: {exc}") from None
                if attempt >= self.attempts:
                    raise PipelineError(f"{method} {url}: {exc} (gave up after {attempt} attempts)") from None
                print(f"[oci] {method} {url}: {exc}; retrying in {delay:.1f}s", file=sys.stderr)
                time.sleep(delay)
                delay, attempt = delay * 2, attempt + 1

    def _send(self, method: str, url: str, scope: str, data: bytes | None,
              headers: dict[str, str] | None) -> requests.Response:
        all_headers = dict(headers or {})
        auth = self._auth.get(scope) or (f"Bearer {self.credentials.token}" if self.credentials.token else None)
        if auth:
            all_headers["Authorization"] = auth
        # Always streamed: no body is read but through chunks(), bounded in size and time.
        return self._timed(f"{method} {url}", lambda: self._session.request(
            method, url, data=data, headers=all_headers, timeout=self.timeout, stream=True))

    def _timed(self, what: str, send: Callable[[], requests.Response]) -> requests.Response:
        """send() (a request, up to the end of the answer's head) on a helper thread, given up after
        `deadline` seconds: a server trickling its status line and headers byte by byte would
        otherwise never end (each read gets its byte in time). The answer records when it was
        asked for, for chunks()' deadline on the body."""
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append(send())
            except BaseException as exc:  # noqa: BLE001  (handed to the caller's thread)
                outcome.append(exc)

        started = time.monotonic()
        worker = threading.Thread(target=run, name="wasmimage-oci-request", daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():
            self._session = requests.Session()  # the stuck connection stays with the abandoned thread
            raise PipelineError(f"{what}: no complete answer within {self.deadline:.0f}s; giving up")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        outcome[0].started = started
        return outcome[0]

    def chunks(self, response: requests.Response, limit: int, what: str) -> Iterator[bytes]:
        """The body as it arrives, one socket read at a time: more than `limit` bytes, or a transfer
        still going `deadline` seconds after the request, is an error (a byte every 20 s never ends
        a read that waits for a full buffer, so the deadline is checked between socket reads)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise PipelineError(f"{what}: the answer is {declared} bytes, over the {limit}-byte limit; refusing it")
        received, ends = 0, getattr(response, "started") + self.deadline
        with response:
            while True:
                if time.monotonic() > ends:
                    raise PipelineError(f"{what}: the answer took longer than {self.deadline:.0f}s "
                                        f"({received} bytes so far); giving up")
                try:
                    chunk = response.raw.read1(CHUNK)
                except (urllib3.exceptions.HTTPError, OSError) as exc:
                    raise TransientError(f"the transfer broke off after {received} bytes: {exc}") from None
                if not chunk:
                    return
                received += len(chunk)
                if received > limit:
                    raise PipelineError(f"{what}: the answer is over the {limit}-byte limit; refusing it")
                yield chunk

    def read_body(self, response: requests.Response, limit: int, what: str) -> bytes:
        return b"".join(self.chunks(response, limit, what))

    def _error_text(self, response: requests.Response) -> str:
        """The registry's error message, from at most error_body_bytes of its answer."""
        data = bytearray()
        try:
            for chunk in self.chunks(response, 1 << 62, response.url):
                data += chunk[:self.limits.error_body_bytes - len(data)]
                if len(data) >= self.limits.error_body_bytes:
                    break
        except (PipelineError, TransientError):
            pass
        finally:
            response.close()
        try:
            errors = json.loads(data).get("errors") or []
            return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors) or data[:200].decode(errors="replace")
        except (ValueError, AttributeError):
            return data[:200].decode(errors="replace")

    def _answer_challenge(self, response: requests.Response, scope: str) -> None:
        """Basic: send the user and password. Bearer with a realm: fetch a token for the scope."""
        header = response.headers.get("WWW-Authenticate", "")
        kind, _, rest = header.partition(" ")
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        creds = self.credentials
        if kind.lower() == "basic":
            if not (creds.user and creds.password):
                raise PipelineError(f"{self.base}: the registry wants a user and password; "
                                    f"set WASMIMAGE_REGISTRY_USER and WASMIMAGE_REGISTRY_PASSWORD")
            self._auth[scope] = "Basic " + base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode()
        elif kind.lower() == "bearer" and "realm" in params:
            self._auth[scope] = "Bearer " + self._fetch_token(params, scope)
        else:
            raise PipelineError(f"{response.request.method} {response.url}: HTTP 401 and no challenge we can "
                                f"answer ({header or 'no WWW-Authenticate'}); check WASMIMAGE_REGISTRY_TOKEN")

    def _fetch_token(self, challenge: dict[str, str], scope: str) -> str:
        realm = challenge["realm"]
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or "@" in parts.netloc:
            raise PipelineError(f"{realm}: not a token service URL we use")
        if parts.scheme == "http" and not (self.insecure or is_loopback(parts.netloc)):
            raise PipelineError(f"{realm}: refusing to send credentials to a token service over plain http")
        scopes = list(dict.fromkeys(s for s in (challenge.get("scope"), scope) if s))
        query = {"service": challenge.get("service", ""), "scope": scopes}
        auth = (self.credentials.user, self.credentials.password) if self.credentials.user else None
        try:
            response = self._timed(realm, lambda: self._session.get(realm, params=query, auth=auth,
                                                                    timeout=self.timeout, stream=True))
            if response.status_code != 200:
                raise PipelineError(f"{realm}: token request answered HTTP {response.status_code}: "
                                    f"{self._error_text(response)}")
            body = json.loads(self.read_body(response, 64 << 10, realm))
        except (requests.RequestException, TransientError) as exc:
            raise PipelineError(f"{realm}: token request failed: {exc}") from None
        except ValueError:
            raise PipelineError(f"{realm}: the token service's answer is not JSON") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise PipelineError(f"{realm}: the token service sent no token")
        return token

    # The calls we need.

    def manifest(self, repository: str, reference: str) -> bytes | None:
        """The manifest's exact bytes (what its digest is taken over), or None if there is none."""
        response = self.request("GET", f"/v2/{repository}/manifests/{reference}", _pull(repository), ok=(200, 404),
                                headers={"Accept": f"{MANIFEST_TYPE}, {INDEX_TYPE}"},
                                body_limit=self.limits.manifest_bytes)
        return response.content if response.status_code == 200 else None

    def put_manifest(self, repository: str, tag: str, data: bytes) -> None:
        response = self.request("PUT", f"/v2/{repository}/manifests/{tag}", _push(repository), ok=(201,),
                                data=data, headers={"Content-Type": MANIFEST_TYPE})
        _check_digest_header(response, sha256_digest(data))

    def blob_exists(self, repository: str, digest: str) -> bool:
        return self.request("HEAD", f"/v2/{repository}/blobs/{digest}", _push(repository),
                            ok=(200, 404)).status_code == 200

    def push_blob(self, repository: str, blob: Blob, path: Path) -> bool:
        """Upload a blob unless the registry has it; returns whether it was uploaded.

        A transient failure anywhere in the upload restarts it from the POST, with backoff.
        """
        if self.blob_exists(repository, blob.digest):
            return False
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                self._upload(repository, blob, path)
                return True
            except TransientError as exc:
                if attempt == self.attempts:
                    raise PipelineError(f"uploading {blob.digest}: {exc} (gave up after {attempt} attempts)") from None
                print(f"[oci] uploading {blob.digest}: {exc}; starting again in {delay:.1f}s", file=sys.stderr)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

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
        except TransientError as exc:
            raise PipelineError(f"blob {blob.digest}: {exc}") from None


def _pull(repository: str) -> str:
    return f"repository:{repository}:pull"


def _push(repository: str) -> str:
    return f"repository:{repository}:pull,push"


def _location(response: requests.Response) -> str:
    location = response.headers.get("Location")
    if not location:
        raise PipelineError(f"{response.request.method} {response.url}: the registry sent no upload Location")
    return urljoin(response.url, location)


def _check_digest_header(response: requests.Response, digest: str) -> None:
    said = response.headers.get("Docker-Content-Digest")
    if said and said != digest:
        raise PipelineError(f"{response.url}: the registry stored {said}, we sent {digest}")


# Pulling: registry or layout -> verified blobs in the cache -> verified image directory.

class LayoutSource:
    """Blobs and tags of an OCI image layout on disk, read without following links."""

    def __init__(self, path: Path, limits: PullLimits = LIMITS) -> None:
        self.path, self.limits = path, limits
        if not (path / "oci-layout").is_file() or not (path / "index.json").is_file():
            raise PipelineError(f"{path}: not an OCI image layout (no oci-layout or index.json)")

    def _open(self, relative: str) -> BinaryIO:
        """A regular file of the layout: a symbolic link anywhere below the layout (to /dev/zero,
        say), a FIFO or a device is refused. FileNotFoundError if there is none."""
        *directories, name = relative.split("/")
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for directory in directories:
                inner = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
            file_fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise PipelineError(f"{self.path / relative}: cannot open it without following links "
                                f"({exc.strerror}); refusing it") from None
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            os.close(file_fd)
            raise PipelineError(f"{self.path / relative}: not a regular file; refusing it")
        return os.fdopen(file_fd, "rb")

    def _read(self, relative: str, limit: int) -> bytes:
        with self._open(relative) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise PipelineError(f"{self.path / relative}: over the {limit}-byte limit; refusing it")
        return data

    def manifest(self, reference: str) -> bytes | None:
        if not _DIGEST.match(reference):
            try:
                index = json.loads(self._read("index.json", self.limits.manifest_bytes))
                found = [m["digest"] for m in index["manifests"]
                         if (m.get("annotations") or {}).get(REF_NAME) == reference]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise PipelineError(f"{self.path / 'index.json'}: not an OCI image index") from None
            if not found:
                return None
            reference = str(found[0])
        try:
            return self._read(_blob_name(reference), self.limits.manifest_bytes)
        except FileNotFoundError:
            return None

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        """At most one byte more than the declared size is copied: the size check then refuses it."""
        with self._open(_blob_name(blob.digest)) as f:
            remaining = blob.size + 1
            while remaining and (chunk := f.read(min(CHUNK, remaining))):
                dest.write(chunk)
                remaining -= len(chunk)


def _blob_name(digest: str) -> str:
    return blob_path(Path("."), digest).as_posix()


class RegistrySource:
    """Blobs and tags of one repository in a registry."""

    def __init__(self, client: RegistryClient, repository: str) -> None:
        self.client, self.repository, self.limits = client, repository, client.limits

    def manifest(self, reference: str) -> bytes | None:
        return self.client.manifest(self.repository, reference)

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        self.client.fetch_blob(self.repository, blob, dest)


def default_cache() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.cwd() / ".cache" / "oci")


def pull(source: LayoutSource | RegistrySource, reference: str, cache: Path, what: str) -> Path:
    """Fetch `reference` (a tag or digest) into the cache and return its checked image directory."""
    limits = source.limits
    data = source.manifest(reference)
    if data is None:
        raise PipelineError(f"{what}: no such image")
    digest = sha256_digest(data)
    if _DIGEST.match(reference) and digest != reference:
        raise PipelineError(f"{what}: the manifest's sha256 is {digest}, not the {reference} asked for")
    _store(cache, Blob(MANIFEST_TYPE, digest, len(data)), lambda dest: dest.write(data), what)
    manifest = _parse_manifest(data, what)
    config_blob = _blob(manifest["config"], CONFIG_TYPE, limits.config_bytes, what)
    layer_blob = _blob(manifest["layers"][0], LAYER_TYPE, limits.layer_bytes, what)
    config_path = _store(cache, config_blob, lambda dest: source.fetch_blob(config_blob, dest), what)
    try:
        config = json.loads(config_path.read_bytes())
        diff_ids = config["rootfs"]["diff_ids"]
    except (ValueError, KeyError, TypeError):
        raise PipelineError(f"{what}: the image config is not JSON with rootfs.diff_ids") from None
    layer = _store(cache, layer_blob, lambda dest: source.fetch_blob(layer_blob, dest), what)

    notes = manifest.get("annotations") if isinstance(manifest.get("annotations"), dict) else {}
    target = cache / "images" / "sha256" / digest.removeprefix("sha256:")
    if not target.is_dir():
        _extract_image(layer, diff_ids, notes, target, what, limits)
    image = open_image(target)
    expected = notes.get(MANIFEST_SHA256)
    if expected and hashlib.sha256((target / MANIFEST).read_bytes()).hexdigest() != expected:
        raise PipelineError(f"{what}: {MANIFEST} does not match the manifest's {MANIFEST_SHA256} annotation")
    return image.path


def _parse_manifest(data: bytes, what: str) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise PipelineError(f"{what}: the manifest is not JSON") from None
    if not isinstance(manifest, dict):
        raise PipelineError(f"{what}: the manifest is not a JSON object")
    if manifest.get("mediaType", MANIFEST_TYPE) != MANIFEST_TYPE or manifest.get("schemaVersion") != 2:
        raise PipelineError(f"{what}: not an OCI image manifest (mediaType {manifest.get('mediaType')!r})")
    layers = manifest.get("layers")
    if not isinstance(layers, list) or len(layers) != 1:
        count = len(layers) if isinstance(layers, list) else 0
        raise PipelineError(f"{what}: a wasm image has exactly one layer, this one has {count}")
    return manifest


def _blob(descriptor: Any, media_type: str, limit: int, what: str) -> Blob:
    if not isinstance(descriptor, dict) or descriptor.get("mediaType") != media_type:
        found = descriptor.get("mediaType") if isinstance(descriptor, dict) else descriptor
        raise PipelineError(f"{what}: blob media type {found!r}, expected {media_type}")
    digest, size = descriptor.get("digest"), descriptor.get("size")
    if not isinstance(digest, str) or not _DIGEST.match(digest) or type(size) is not int or size < 0:
        raise PipelineError(f"{what}: bad blob descriptor {descriptor!r} (want a sha256 digest and a size)")
    if size > limit:
        raise PipelineError(f"{what}: blob {digest} is declared as {size} bytes, over the {limit}-byte limit "
                            f"for a {media_type}; refusing it")
    return Blob(media_type, digest, size)


def _store(cache: Path, blob: Blob, write: Any, what: str) -> Path:
    """The cached blob, fetched with `write(file)` if absent; its size and sha256 are checked either way."""
    path = blob_path(cache, blob.digest)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:12]}.partial-")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            _check_blob(Path(name), blob, what)
            os.replace(name, path)
        finally:
            Path(name).unlink(missing_ok=True)
    _check_blob(path, blob, what)
    return path


def _check_blob(path: Path, blob: Blob, what: str) -> None:
    size = path.stat().st_size
    if size != blob.size:
        raise PipelineError(f"{what}: blob {blob.digest} is {size} bytes, the manifest says {blob.size}")
    digest = "sha256:" + files.sha256_file(path)
    if digest != blob.digest:
        raise PipelineError(f"{what}: blob {blob.digest} has sha256 {digest}; it was corrupted, refusing it")


def _extract_image(layer: Path, diff_ids: Any, notes: dict, target: Path, what: str, limits: PullLimits) -> None:
    """Unpack the layer's opt/wasm-images/<name>/ files (regular files only) into `target`, atomically.

    Bounded: the layer is gunzipped once to check its diff_id, and refused past
    limits.unpacked_bytes; the tar may hold at most limits.tar_entries entries.
    """
    h, unpacked = hashlib.sha256(), 0
    try:
        with gzip.open(layer, "rb") as f:
            while chunk := f.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limits.unpacked_bytes:
                    raise PipelineError(f"{what}: the layer unpacks to more than {limits.unpacked_bytes} bytes; "
                                        f"refusing it")
                h.update(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise PipelineError(f"{what}: the layer is not gzip data: {exc}") from None
    if diff_ids != [f"sha256:{h.hexdigest()}"]:
        raise PipelineError(f"{what}: the layer's uncompressed sha256 is not the config's diff_id")
    name = notes.get(TITLE, "")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise PipelineError(f"{what}: the manifest's {TITLE} annotation {name!r} is not an image name")
    prefix = f"{IMAGES_ROOT}/{name}/"
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name[:12]}.partial-"))
    try:
        try:
            with tarfile.open(layer, "r:gz") as tar:
                for member in _members(tar, prefix, what, limits.tar_entries):
                    with tar.extractfile(member) as src, (work / member.name[len(prefix):]).open("xb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
        except tarfile.TarError as exc:
            raise PipelineError(f"{what}: the layer is not a tar archive: {exc}") from None
        _refuse_unlisted(work, what)
        if not os.path.isdir(target):
            files.replace_dir(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _members(tar: tarfile.TarFile, prefix: str, what: str, max_entries: int) -> Iterator[tarfile.TarInfo]:
    """The layer's files; anything but the image directory, its parents and plain files in it is refused,
    and so are repeated names and more than max_entries entries."""
    parents = {prefix.rstrip("/")} | {"/".join(prefix.split("/")[:i]) for i in range(1, prefix.count("/"))}
    seen: set[str] = set()
    for count, member in enumerate(tar, 1):
        if count > max_entries:
            raise PipelineError(f"{what}: the layer has more than {max_entries} entries; a wasm image layer "
                                f"holds a few files")
        name = member.name.rstrip("/")
        if name in seen:
            raise PipelineError(f"{what}: the layer holds {member.name!r} twice; refusing it")
        seen.add(name)
        if member.isdir() and name in parents:
            continue
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if not member.isreg() or not rest or "/" in rest or rest in (".", ".."):
            raise PipelineError(f"{what}: unexpected layer entry {member.name!r}; a wasm image layer holds only "
                                f"plain files under /{prefix}")
        yield member


def _refuse_unlisted(work: Path, what: str) -> None:
    """Only the files image.json lists, image.json itself and its signature may come out of a layer."""
    try:
        listed = files.read_json(work / MANIFEST)["files"]
        allowed = {*listed, MANIFEST, SIGNATURE}
    except (OSError, ValueError, KeyError, TypeError):
        raise PipelineError(f"{what}: the layer holds no readable {MANIFEST} listing its files") from None
    extra = sorted(p.name for p in work.iterdir() if p.name not in allowed)
    if extra:
        raise PipelineError(f"{what}: the layer holds files {MANIFEST} does not list: {', '.join(extra)}; refusing it")


def resolve_image_ref(ref: str, *, cache: Path | None = None, insecure: bool = False) -> Path:
    """An image directory for `ref`: a directory as is, `oci-layout:PATH:TAG` or a registry reference pulled."""
    cache = cache or default_cache()
    if ref.startswith("oci-layout:"):
        rest = ref.removeprefix("oci-layout:")
        path, sep, reference = rest.rpartition("@") if "@sha256:" in rest else rest.rpartition(":")
        if not sep or not path or not reference:
            raise PipelineError(f"{ref!r}: want oci-layout:PATH:TAG or oci-layout:PATH@sha256:...")
        return pull(LayoutSource(Path(path)), reference, cache, ref)
    try:
        parsed = parse_reference(ref)
    except PipelineError:
        if Path(ref).is_dir():
            return Path(ref)
        raise
    if Path(ref).exists():
        # A digest pin must never be satisfied by whatever directory happens to carry its name.
        raise PipelineError(f"{ref!r} is both an image reference and a path here; write ./{ref} to run the "
                            f"directory (a reference is never taken from a local path)")
    client = RegistryClient(parsed.registry, insecure=insecure)
    return pull(RegistrySource(client, parsed.repository), parsed.reference, cache, str(parsed))
