"""Publishing images as OCI images, against a real registry (Debian's docker-registry) and skopeo.

Nothing of ours is mocked: images are published by our client, checked by skopeo, pulled
back, verified and run. The only stand-ins are a token service (for the bearer dance the
registry asks for) and a closed port (for retries), because those are other people's parts.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import warnings
from datetime import UTC
from pathlib import Path

import pytest
import requests

from helpers.registry import Registry, running_registry
from wasmimage.digests import canonical_json, sha256_digest
from wasmimage.errors import NotFound, PipelineError, Tampered
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.publish import image_layout, publish
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.descriptors import LAYER_TYPE, MANIFEST_TYPE, blob_path
from wasmimage.registry.pull import resolve_image_ref
from wasmimage.registry.target import Target
from wasmimage.runtime.image import MANIFEST, open_image
from wasmimage.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TAG = Project(ROOT).recipe("quickjs").tag  # the image the quickjs_image fixture builds, not the unit half's made-up tag
IMAGE = ROOT / "artifacts" / "images" / "quickjs" / TAG
NEEDS_BUILD = not (IMAGE / MANIFEST).is_file()
# Only tests that may have to build the interpreter first are slow.
needs_image = pytest.mark.slow if NEEDS_BUILD else pytest.mark.usefixtures("image_dir")


@pytest.fixture(scope="session")
def image_dir(quickjs_image: Path) -> Path:
    """The quickjs image from artifacts/ (conftest builds it with `doit build:quickjs` if missing), checked."""
    return open_image(quickjs_image).path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WASMIMAGE_REGISTRY_TOKEN", "WASMIMAGE_REGISTRY_USER", "WASMIMAGE_REGISTRY_PASSWORD",
                 "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def published(image_dir: Path, registry: Registry, tmp_path_factory: pytest.TempPathFactory):
    """The quickjs image pushed to the session registry as REGISTRY/wasm/quickjs:QUICKJS_TAG."""
    return publish(image_dir, Target(registry.host, "wasm"), tmp_path_factory.mktemp("oci"), out=sys.stdout)


def _layer_files(layer: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}


def _image_files(image_dir: Path) -> dict[str, bytes]:
    """What the layer must hold: every file but the provenance (a referrer, never in the layer)."""
    return {f"opt/wasm-images/quickjs/{p.name}": p.read_bytes() for p in sorted(image_dir.iterdir())
            if p.name != "provenance.intoto.json"}


# The layout.

@needs_image
def test_layout_is_deterministic(image_dir: Path, tmp_path: Path) -> None:
    image = open_image(image_dir)
    first = image_layout(image, tmp_path / "a", 0)
    second = image_layout(image, tmp_path / "b", 0)
    assert (first.manifest, first.config, first.layer) == (second.manifest, second.config, second.layer)
    for name in ("oci-layout", "index.json"):
        assert (first.path / name).read_bytes() == (second.path / name).read_bytes()
    later = image_layout(image, tmp_path / "c", 1)
    assert later.manifest.digest != first.manifest.digest  # the epoch is an input, nothing else hidden is


@needs_image
def test_layout_content(image_dir: Path, tmp_path: Path) -> None:
    image = open_image(image_dir)
    layout = image_layout(image, tmp_path / "layout", 1700000000)
    assert json.loads((layout.path / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout.path / "index.json").read_text())
    assert index["manifests"][0]["digest"] == layout.manifest.digest
    assert index["manifests"][0]["annotations"] == {"org.opencontainers.image.ref.name": TAG}

    manifest_bytes = layout.blob_path(layout.manifest.digest).read_bytes()
    assert manifest_bytes == canonical_json(json.loads(manifest_bytes))
    manifest = json.loads(manifest_bytes)
    assert manifest["mediaType"] == MANIFEST_TYPE and manifest["schemaVersion"] == 2
    assert [layer["mediaType"] for layer in manifest["layers"]] == [LAYER_TYPE]
    notes = manifest["annotations"]
    assert notes["org.opencontainers.image.version"] == TAG
    assert notes["org.opencontainers.image.revision"] == str(Project(ROOT).recipe("quickjs").revision)
    assert notes["org.opencontainers.image.title"] == "quickjs"
    assert notes["org.opencontainers.image.source"] == "pkg:pypi/quickjs-ng@0.17.0.2"
    assert notes["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"
    assert notes["io.wasmimage.wasmtime.version"] == image.manifest["engine"]["wasmtime"]
    assert json.loads(notes["io.wasmimage.engine.config"]) == image.manifest["engine"]["config"]
    assert notes["io.wasmimage.manifest.sha256"] == sha256_digest((image_dir / MANIFEST).read_bytes())[7:]

    config = json.loads(layout.blob_path(layout.config.digest).read_bytes())
    assert (config["os"], config["architecture"]) == ("linux", "amd64")
    layer = layout.blob_path(layout.layer.digest).read_bytes()
    assert config["rootfs"] == {"type": "layers", "diff_ids": [sha256_digest(gzip.decompress(layer))]}
    assert layer[3] == 0 and layer[4:8] == b"\0\0\0\0"  # gzip: no FNAME flag, mtime 0

    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[:3] == ["opt", "opt/wasm-images", "opt/wasm-images/quickjs"]
    assert names[3:] == sorted(names[3:])
    for m in members:
        assert (m.uid, m.gid, m.uname, m.gname, m.mtime) == (0, 0, "", "", 1700000000)
        assert m.mode == (0o755 if m.isdir() else 0o644)
    assert _layer_files(layer) == _image_files(image_dir)


@needs_image
def test_unlisted_file_is_refused(image_dir: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(image_dir, tmp_path / "image")
    (copy / "stray.txt").write_text("not in image.json")
    with pytest.raises(PipelineError, match="not listed"):
        image_layout(open_image(copy), tmp_path / "layout", 0)


# Publishing to the registry, checked by skopeo.

@needs_image
def test_skopeo_inspect_reports_our_digest(published, registry: Registry) -> None:
    assert published.status == "pushed"
    assert published.reference == f"{registry.host}/wasm/quickjs:{TAG}"
    result = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{published.reference}"],
                            capture_output=True, text=True, check=True)
    inspected = json.loads(result.stdout)
    assert inspected["Digest"] == published.digest
    assert inspected["Layers"] == [published.layout.layer.digest]
    assert (inspected["Os"], inspected["Architecture"]) == ("linux", "amd64")
    raw = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{published.reference}"],
                         capture_output=True, check=True).stdout
    assert sha256_digest(raw) == published.digest


@needs_image
def test_skopeo_copy_gives_byte_identical_files(published, image_dir: Path, tmp_path: Path) -> None:
    dest = tmp_path / "skopeo-layout"
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{published.reference}",
                    f"oci:{dest}:{TAG}"], capture_output=True, check=True)
    index = json.loads((dest / "index.json").read_text())
    (entry,) = [m for m in index["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == TAG]
    assert entry["digest"] == published.digest
    manifest = json.loads(blob_path(dest, entry["digest"]).read_bytes())
    layer = blob_path(dest, manifest["layers"][0]["digest"]).read_bytes()
    assert _layer_files(layer) == _image_files(image_dir)
    # Our own reader takes skopeo's layout too.
    pulled = resolve_image_ref(f"oci-layout:{dest}:{TAG}", cache=tmp_path / "cache")
    assert (pulled / MANIFEST).read_bytes() == (image_dir / MANIFEST).read_bytes()


@needs_image
def test_pull_by_digest_and_run(published, registry: Registry, tmp_path: Path) -> None:
    script = tmp_path / "main.js"
    script.write_text("print(1+1)\n")
    ref = f"{registry.host}/wasm/quickjs@{published.digest}"
    env = {**os.environ, "WASMIMAGE_OCI_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "wasmimage", "run", ref, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (0, "2\n"), result.stderr
    cached = tmp_path / "cache" / "images" / "sha256" / published.digest.removeprefix("sha256:")
    assert open_image(cached).manifest["tag"] == TAG
    for blob in (published.layout.manifest, published.layout.config, published.layout.layer):
        assert blob_path(tmp_path / "cache", blob.digest).is_file()


@needs_image
def test_pull_by_tag_with_cli(published, image_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "wasmimage", "pull", published.reference,
                             "--cache", str(tmp_path / "cache")], capture_output=True, text=True, check=True)
    pulled = Path(result.stdout.strip())
    assert pulled.name == published.digest.removeprefix("sha256:")
    assert {f"opt/wasm-images/quickjs/{p.name}": p.read_bytes() for p in pulled.iterdir()} == _image_files(image_dir)


@needs_image
def test_oci_layout_reference(published, tmp_path: Path) -> None:
    pulled = resolve_image_ref(f"oci-layout:{published.layout.path}:{TAG}", cache=tmp_path / "cache")
    assert open_image(pulled).name == "quickjs"
    with pytest.raises(NotFound, match="no such image"):
        resolve_image_ref(f"oci-layout:{published.layout.path}:0.0.0-r9", cache=tmp_path / "cache")


# Tags are immutable.

@needs_image
def test_republishing_the_same_digest_is_a_no_op(published, image_dir: Path, registry: Registry,
                                                 tmp_path: Path) -> None:
    again = publish(image_dir, Target(registry.host, "wasm"), tmp_path)
    assert (again.status, again.digest, again.uploaded) == ("unchanged", published.digest, [])


@needs_image
def test_a_different_digest_under_the_same_tag_is_refused(published, image_dir: Path, registry: Registry,
                                                          tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="immutable"):  # same files, other timestamps: another manifest
        publish(image_dir, Target(registry.host, "wasm"), tmp_path, source_date_epoch=86400)
    manifest = requests.get(f"{registry.url}/v2/wasm/quickjs/manifests/{TAG}",
                            headers={"Accept": MANIFEST_TYPE}).content
    assert sha256_digest(manifest) == published.digest


@needs_image
def test_dry_run_pushes_nothing(image_dir: Path, registry: Registry, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "wasmimage", "publish", str(image_dir), "--dry-run",
                             "--registry", f"{registry.host}/dry", "--layout-dir", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    layout = image_layout(open_image(image_dir), tmp_path / "again", 0)
    for blob in (layout.config, layout.layer, layout.manifest):
        assert f"{blob.digest}  {blob.size} bytes" in result.stdout
    assert f"tag {TAG} -> {layout.manifest.digest}" in result.stdout
    assert requests.get(f"{registry.url}/v2/dry/quickjs/tags/list").status_code == 404


# The client's protocol details.

@contextlib.contextmanager
def proxy_to(registry: Registry, fail: dict[str, int] | None = None):
    """A real HTTP proxy in front of the registry that records each request's method (to see which
    upload path ran) and answers the first fail[METHOD] requests of a method with 503."""
    calls: list[str] = []
    failures = dict(fail or {})

    class Proxy(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            calls.append(self.command)
            if failures.get(self.command, 0) > 0:
                failures[self.command] -= 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
            answer = requests.request(self.command, f"{registry.url}{self.path}", data=body, headers=headers,
                                      allow_redirects=False)
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in ("content-length", "connection", "transfer-encoding", "content-encoding"):
                    self.send_header(key, value)
            content = b"" if self.command == "HEAD" else answer.content
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = _forward

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", calls, failures
    finally:
        server.shutdown()


@needs_image
def test_chunked_upload(image_dir: Path, registry: Registry, tmp_path: Path) -> None:
    with proxy_to(registry) as (proxy, calls, _):
        client = RegistryClient(proxy, chunk_threshold=256 * 1024)
        result = publish(image_dir, Target(proxy, "chunked"), tmp_path / "oci", client=client)
    chunks = -(-result.layout.layer.size // (256 * 1024))
    assert calls.count("PATCH") == chunks > 1
    pulled = resolve_image_ref(f"{registry.host}/chunked/quickjs@{result.digest}", cache=tmp_path / "cache")
    assert open_image(pulled).sha256("cwasm") == open_image(image_dir).sha256("cwasm")


@needs_image
def test_corrupted_blob_is_detected_on_pull(image_dir: Path, tmp_path: Path) -> None:
    with running_registry(tmp_path / "registry") as own:
        result = publish(image_dir, Target(own.host, "wasm"), tmp_path / "oci")
        data = own.blob_data(result.layout.layer.digest)
        corrupted = bytearray(data.read_bytes())
        corrupted[len(corrupted) // 2] ^= 0xFF
        data.write_bytes(bytes(corrupted))
        with pytest.raises(Tampered, match="corrupted"):
            resolve_image_ref(f"{own.host}/wasm/quickjs@{result.digest}", cache=tmp_path / "cache")
        assert not (tmp_path / "cache" / "images").exists()
        assert not blob_path(tmp_path / "cache", result.layout.layer.digest).exists()


@needs_image
def test_corrupted_cache_is_detected(published, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ref = f"oci-layout:{published.layout.path}:{TAG}"
    resolve_image_ref(ref, cache=cache)
    cached = blob_path(cache, published.layout.config.digest)
    cached.write_bytes(cached.read_bytes().replace(b"amd64", b"arm64"))
    with pytest.raises(Tampered, match="corrupted"):
        resolve_image_ref(ref, cache=cache)


@needs_image
def test_basic_auth(image_dir: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        crypt = pytest.importorskip("crypt")  # gone in Python 3.13; the registry wants bcrypt
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"ci:{crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH))}\n")
    auth = f"auth:\n  htpasswd:\n    realm: test\n    path: {htpasswd}\n"
    with running_registry(tmp_path / "registry", auth) as own:
        target = Target(own.host, "private")
        with pytest.raises(PipelineError, match="WASMIMAGE_REGISTRY_USER"):
            publish(image_dir, target, tmp_path / "oci")
        settings = Settings.from_environ({"WASMIMAGE_REGISTRY_USER": "ci", "WASMIMAGE_REGISTRY_PASSWORD": "s3cret"})
        result = publish(image_dir, target, tmp_path / "oci", credentials=Credentials.from_settings(settings))
        pulled = resolve_image_ref(f"{own.host}/private/quickjs:{TAG}", settings=settings, cache=tmp_path / "cache")
        assert open_image(pulled).name == "quickjs" and result.status == "pushed"
        with pytest.raises(PipelineError, match="401"):
            publish(image_dir, target, tmp_path / "oci", credentials=Credentials(user="ci", password="wrong"))


def _token_service(tmp_path: Path, service: str, user: str, password: str):
    """A token service for the registry's `auth: token` (the bearer dance): RS256 JWTs with an x5c chain."""
    pytest.importorskip("cryptography")
    from datetime import datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wasmimage test token issuer")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    bundle = tmp_path / "token-cert.pem"
    bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    seen: list[dict] = []

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            from urllib.parse import parse_qs, urlparse

            query = parse_qs(urlparse(self.path).query)
            expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            seen.append({"scope": query.get("scope", []), "auth": self.headers.get("Authorization") == expected})
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            access = []
            for scope in query.get("scope", []):
                kind, repo, actions = scope.split(":")
                access.append({"type": kind, "name": repo, "actions": actions.split(",")})
            claims = {"iss": "wasmimage-test", "sub": user, "aud": service, "exp": int(time.time()) + 300,
                      "nbf": int(time.time()) - 10, "iat": int(time.time()), "jti": os.urandom(8).hex(),
                      "access": access}
            signing_input = f"{b64(json.dumps({'alg': 'RS256', 'typ': 'JWT', 'x5c': [x5c]}).encode())}." \
                            f"{b64(json.dumps(claims).encode())}"
            signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            body = json.dumps({"token": f"{signing_input}.{b64(signature)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, bundle, seen


@needs_image
def test_bearer_token_dance(image_dir: Path, tmp_path: Path) -> None:
    server, bundle, seen = _token_service(tmp_path, "test-registry", "ci", "s3cret")
    realm = f"http://127.0.0.1:{server.server_address[1]}/token"
    auth = (f"auth:\n  token:\n    realm: {realm}\n    service: test-registry\n    issuer: wasmimage-test\n"
            f"    rootcertbundle: {bundle}\n")
    try:
        with running_registry(tmp_path / "registry", auth) as own:
            settings = Settings(registry_user="ci", registry_password="s3cret")
            result = publish(image_dir, Target(own.host, "wasm"), tmp_path / "oci",
                             credentials=Credentials.from_settings(settings))
            assert result.status == "pushed"
            assert seen and all(call["auth"] for call in seen)
            assert any("repository:wasm/quickjs:pull,push" in call["scope"] for call in seen)
            pulled = resolve_image_ref(f"{own.host}/wasm/quickjs@{result.digest}", settings=settings,
                                       cache=tmp_path / "cache")
            assert open_image(pulled).name == "quickjs"
            # A bearer token ($WASMIMAGE_REGISTRY_TOKEN) is sent as is; a bad one is refused by the registry.
            with pytest.raises(PipelineError, match="401"):
                resolve_image_ref(f"{own.host}/wasm/quickjs:{TAG}", settings=Settings(registry_token="not-a-token"),
                                  cache=tmp_path / "cache2")
    finally:
        server.shutdown()


# References, schemes and retries (no registry needed).


@needs_image
def test_failed_upload_starts_again(image_dir: Path, registry: Registry, tmp_path: Path) -> None:
    """A proxy in front of the real registry answers the first PATCH with 503: the upload restarts and lands."""
    with proxy_to(registry, fail={"PATCH": 1}) as (proxy, calls, failures):
        client = RegistryClient(proxy, chunk_threshold=512 * 1024, backoff=0.01)
        result = publish(image_dir, Target(proxy, "flaky"), tmp_path / "oci", client=client)
    assert failures == {"PATCH": 0}
    # config, layer, layer again; then the referrers' empty config, SBOM and provenance
    assert calls.count("POST") == 3 + 3
    pulled = resolve_image_ref(f"{registry.host}/flaky/quickjs@{result.digest}", cache=tmp_path / "cache")
    assert open_image(pulled).name == "quickjs"
