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
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator
from urllib.parse import urljoin

import requests

from wasmimage import files
from wasmimage.errors import PipelineError
from wasmimage.image import MANIFEST, Image, open_image

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
    names = sorted(image.manifest["files"]) + [MANIFEST]
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
    """A source pin as one URL-like string (a PyPI sdist as a package URL)."""
    if "pypi-sdist" in pin:
        name, _, version = pin["pypi-sdist"].partition("==")
        return f"pkg:pypi/{name}@{version}"
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
    if not slash or not path or not ("." in registry or ":" in registry or registry == "localhost"):
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


def is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    return name.strip("[]") in ("127.0.0.1", "localhost", "::1") or name.startswith("127.")


def base_url(registry: str, insecure: bool = False) -> str:
    """https, except for loopback registries or with insecure=True, where plain http is allowed."""
    scheme, _, host = registry.rpartition("://")
    if scheme not in ("", "http", "https"):
        raise PipelineError(f"{registry}: unknown scheme {scheme!r}")
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
    timeout: float = 60.0
    chunk_threshold: int = 64 * CHUNK  # blobs larger than this go up in PATCH chunks of this size
    _session: requests.Session = field(default_factory=requests.Session, repr=False)
    _auth: dict[str, str] = field(default_factory=dict, repr=False)  # scope -> Authorization header

    def __post_init__(self) -> None:
        self.base = base_url(self.registry, self.insecure)

    # Requests, auth and retries.

    def request(self, method: str, path: str, scope: str, *, ok: tuple[int, ...], data: bytes | None = None,
                headers: dict[str, str] | None = None, stream: bool = False, retry: bool = True) -> requests.Response:
        """One API call: answers a 401 challenge once, retries transient failures with backoff.

        With retry=False a transient failure raises TransientError instead (an upload step is
        not resent on its own: the whole upload starts again).
        """
        url = urljoin(self.base, path)
        delay, answered_challenge = self.backoff, False
        attempt = 1
        while True:
            try:
                response = self._send(method, url, scope, data, headers, stream)
                if response.status_code == 401 and not answered_challenge:
                    answered_challenge = True
                    self._answer_challenge(response, scope)
                    continue
                if response.status_code in ok:
                    return response
                if response.status_code >= 500 or response.status_code == 429:
                    raise TransientError(f"HTTP {response.status_code} {response.reason}")
                raise PipelineError(f"{method} {url}: HTTP {response.status_code} {response.reason}: "
                                    f"{_error_text(response)}")
            except (TransientError, requests.ConnectionError, requests.Timeout) as exc:
                if not retry:
                    raise TransientError(f"{method} {url}: {exc}") from None
                if attempt >= self.attempts:
                    raise PipelineError(f"{method} {url}: {exc} (gave up after {attempt} attempts)") from None
                print(f"[oci] {method} {url}: {exc}; retrying in {delay:.1f}s", file=sys.stderr)
                time.sleep(delay)
                delay, attempt = delay * 2, attempt + 1

    def _send(self, method: str, url: str, scope: str, data: bytes | None, headers: dict[str, str] | None,
              stream: bool) -> requests.Response:
        all_headers = dict(headers or {})
        auth = self._auth.get(scope) or (f"Bearer {self.credentials.token}" if self.credentials.token else None)
        if auth:
            all_headers["Authorization"] = auth
        return self._session.request(method, url, data=data, headers=all_headers, timeout=self.timeout,
                                     stream=stream)

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
        if realm.startswith("http://") and not (self.insecure or is_loopback(realm.split("/")[2])):
            raise PipelineError(f"{realm}: refusing to send credentials to a token service over plain http")
        scopes = list(dict.fromkeys(s for s in (challenge.get("scope"), scope) if s))
        query = {"service": challenge.get("service", ""), "scope": scopes}
        auth = (self.credentials.user, self.credentials.password) if self.credentials.user else None
        try:
            response = self._session.get(realm, params=query, auth=auth, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PipelineError(f"{realm}: token request failed: {exc}") from None
        if response.status_code != 200:
            raise PipelineError(f"{realm}: token request answered HTTP {response.status_code}: {_error_text(response)}")
        body = response.json()
        token = body.get("token") or body.get("access_token")
        if not token:
            raise PipelineError(f"{realm}: the token service sent no token")
        return token

    # The calls we need.

    def manifest(self, repository: str, reference: str) -> bytes | None:
        """The manifest's exact bytes (what its digest is taken over), or None if there is none."""
        response = self.request("GET", f"/v2/{repository}/manifests/{reference}", _pull(repository), ok=(200, 404),
                                headers={"Accept": f"{MANIFEST_TYPE}, {INDEX_TYPE}"})
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
        """Stream a blob into dest; at most blob.size + 1 bytes are read (the caller checks the digest)."""
        response = self.request("GET", f"/v2/{repository}/blobs/{blob.digest}", _pull(repository), ok=(200,),
                                stream=True)
        with response:
            received = 0
            for chunk in response.iter_content(CHUNK):
                dest.write(chunk)
                received += len(chunk)
                if received > blob.size:
                    break


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


def _error_text(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors) or response.text[:200]
    except ValueError:
        return response.text[:200]


# Pulling: registry or layout -> verified blobs in the cache -> verified image directory.

class LayoutSource:
    """Blobs and tags of an OCI image layout on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not (path / "oci-layout").is_file() or not (path / "index.json").is_file():
            raise PipelineError(f"{path}: not an OCI image layout (no oci-layout or index.json)")

    def manifest(self, reference: str) -> bytes | None:
        if not _DIGEST.match(reference):
            index = json.loads((self.path / "index.json").read_text(encoding="utf-8"))
            found = [m["digest"] for m in index.get("manifests", [])
                     if m.get("annotations", {}).get(REF_NAME) == reference]
            if not found:
                return None
            reference = found[0]
        path = blob_path(self.path, reference)
        return path.read_bytes() if path.is_file() else None

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        with blob_path(self.path, blob.digest).open("rb") as f:
            shutil.copyfileobj(f, dest, CHUNK)


class RegistrySource:
    """Blobs and tags of one repository in a registry."""

    def __init__(self, client: RegistryClient, repository: str) -> None:
        self.client, self.repository = client, repository

    def manifest(self, reference: str) -> bytes | None:
        return self.client.manifest(self.repository, reference)

    def fetch_blob(self, blob: Blob, dest: BinaryIO) -> None:
        self.client.fetch_blob(self.repository, blob, dest)


def default_cache() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.cwd() / ".cache" / "oci")


def pull(source: LayoutSource | RegistrySource, reference: str, cache: Path, what: str) -> Path:
    """Fetch `reference` (a tag or digest) into the cache and return its checked image directory."""
    data = source.manifest(reference)
    if data is None:
        raise PipelineError(f"{what}: no such image")
    digest = sha256_digest(data)
    if _DIGEST.match(reference) and digest != reference:
        raise PipelineError(f"{what}: the manifest's sha256 is {digest}, not the {reference} asked for")
    _store(cache, Blob(MANIFEST_TYPE, digest, len(data)), lambda dest: dest.write(data), what)
    manifest = _parse_manifest(data, what)
    config_blob, layer_blob = (_blob(manifest["config"], CONFIG_TYPE, what),
                               _blob(manifest["layers"][0], LAYER_TYPE, what))
    config_path = _store(cache, config_blob, lambda dest: source.fetch_blob(config_blob, dest), what)
    config = json.loads(config_path.read_bytes())
    layer = _store(cache, layer_blob, lambda dest: source.fetch_blob(layer_blob, dest), what)

    target = cache / "images" / "sha256" / digest.removeprefix("sha256:")
    if not target.is_dir():
        _extract_image(layer, config, manifest.get("annotations", {}), target, what)
    image = open_image(target)
    expected = manifest.get("annotations", {}).get(MANIFEST_SHA256)
    if expected and hashlib.sha256((target / MANIFEST).read_bytes()).hexdigest() != expected:
        raise PipelineError(f"{what}: {MANIFEST} does not match the manifest's {MANIFEST_SHA256} annotation")
    return image.path


def _parse_manifest(data: bytes, what: str) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise PipelineError(f"{what}: the manifest is not JSON") from None
    if manifest.get("mediaType", MANIFEST_TYPE) != MANIFEST_TYPE or manifest.get("schemaVersion") != 2:
        raise PipelineError(f"{what}: not an OCI image manifest (mediaType {manifest.get('mediaType')!r})")
    layers = manifest.get("layers", [])
    if len(layers) != 1:
        raise PipelineError(f"{what}: a wasm image has exactly one layer, this one has {len(layers)}")
    return manifest


def _blob(descriptor: dict, media_type: str, what: str) -> Blob:
    if descriptor.get("mediaType") != media_type:
        raise PipelineError(f"{what}: blob media type {descriptor.get('mediaType')!r}, expected {media_type}")
    digest, size = descriptor.get("digest"), descriptor.get("size")
    if not isinstance(digest, str) or not _DIGEST.match(digest) or not isinstance(size, int) or size < 0:
        raise PipelineError(f"{what}: bad blob descriptor {descriptor!r} (want a sha256 digest and a size)")
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


def _extract_image(layer: Path, config: dict, notes: dict, target: Path, what: str) -> None:
    """Unpack the layer's opt/wasm-images/<name>/ files (regular files only) into `target`, atomically."""
    diff_ids = config.get("rootfs", {}).get("diff_ids", [])
    h = hashlib.sha256()
    with gzip.open(layer, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    if diff_ids != [f"sha256:{h.hexdigest()}"]:
        raise PipelineError(f"{what}: the layer's uncompressed sha256 is not the config's diff_id")
    name = notes.get(TITLE, "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise PipelineError(f"{what}: the manifest's {TITLE} annotation {name!r} is not an image name")
    prefix = f"{IMAGES_ROOT}/{name}/"
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name[:12]}.partial-"))
    try:
        with tarfile.open(layer, "r:gz") as tar:
            for member in _members(tar, prefix, what):
                with tar.extractfile(member) as src, (work / member.name[len(prefix):]).open("xb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
        if not os.path.isdir(target):
            files.replace_dir(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _members(tar: tarfile.TarFile, prefix: str, what: str) -> Iterator[tarfile.TarInfo]:
    """The layer's files; anything but the image directory, its parents and plain files in it is refused."""
    parents = {prefix.rstrip("/")} | {"/".join(prefix.split("/")[:i]) for i in range(1, prefix.count("/"))}
    for member in tar:
        name = member.name.rstrip("/")
        if member.isdir() and name in parents:
            continue
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if not member.isreg() or not rest or "/" in rest or rest in (".", ".."):
            raise PipelineError(f"{what}: unexpected layer entry {member.name!r}; a wasm image layer holds only "
                                f"plain files under /{prefix}")
        yield member


def resolve_image_ref(ref: str, *, cache: Path | None = None, insecure: bool = False) -> Path:
    """An image directory for `ref`: a directory as is, `oci-layout:PATH:TAG` or a registry reference pulled."""
    cache = cache or default_cache()
    if ref.startswith("oci-layout:"):
        rest = ref.removeprefix("oci-layout:")
        path, sep, reference = rest.rpartition("@") if "@sha256:" in rest else rest.rpartition(":")
        if not sep or not path or not reference:
            raise PipelineError(f"{ref!r}: want oci-layout:PATH:TAG or oci-layout:PATH@sha256:...")
        return pull(LayoutSource(Path(path)), reference, cache, ref)
    if Path(ref).is_dir():
        return Path(ref)
    parsed = parse_reference(ref)
    client = RegistryClient(parsed.registry, insecure=insecure)
    return pull(RegistrySource(client, parsed.repository), parsed.reference, cache, str(parsed))
