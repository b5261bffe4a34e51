"""The registry room without a registry: references, the plain-http rule, targets, and the HTTP
client's protocol details against real servers on 127.0.0.1 (tests/flaky_server.py).

Fast: no image, no doit, no docker-registry. What needs a real registry is in test_publish.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from helpers.flaky_server import Behaviour, Drop, FlakyServer, Redirect, Serve, ShortBody, Status
from wasmimage.digests import sha256_digest
from wasmimage.errors import InvalidInput, NotFound, Unavailable
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.descriptors import CONFIG_TYPE, Blob
from wasmimage.registry.reference import Reference, check_url, parse_reference
from wasmimage.registry.target import Target

DIGEST = "sha256:" + "ab" * 32
MANIFEST = "/v2/wasm/quickjs/manifests/1.0-r1"


# References.

@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:5000/wasm/quickjs:0.17.0-r1", Reference("127.0.0.1:5000", "wasm/quickjs", "0.17.0-r1")),
    ("localhost/quickjs:1", Reference("localhost", "quickjs", "1")),
    ("registry.example/a/b/c:v_1.2-x", Reference("registry.example", "a/b/c", "v_1.2-x")),
    (f"localhost:5000/quickjs@{DIGEST}", Reference("localhost:5000", "quickjs", None, DIGEST)),
    (f"localhost:5000/quickjs:1.0@{DIGEST}", Reference("localhost:5000", "quickjs", "1.0", DIGEST)),
    ("https://registry.example/wasm/q:1", Reference("https://registry.example", "wasm/q", "1")),
    ("[::1]:5000/wasm/q:1", Reference("[::1]:5000", "wasm/q", "1")),
    ("registry.example/my-repo__x.y/q:" + "t" * 128, Reference("registry.example", "my-repo__x.y/q", "t" * 128)),
])
def test_references_parse(text: str, expected: Reference) -> None:
    assert parse_reference(text) == expected


def test_a_digest_pins_what_is_asked_for() -> None:
    ref = parse_reference(f"localhost:5000/quickjs:1.0@{DIGEST}")
    assert ref.reference == DIGEST  # the tag is for people; the digest goes to /manifests/
    assert str(ref) == f"localhost:5000/quickjs@{DIGEST}"
    assert parse_reference("localhost:5000/quickjs:1.0").reference == "1.0"
    assert str(parse_reference("localhost:5000/quickjs:1.0")) == "localhost:5000/quickjs:1.0"


@pytest.mark.parametrize("text, complaint", [
    ("quickjs:0.17.0-r1", "not an image reference"),  # no registry
    ("nowhere/x:1", "not an image reference"),  # a first part without . or : is a path, as docker reads it
    ("./x/y:1", "not an image reference"),
    ("127.0.0.1:5000/wasm/quickjs", "give a tag"),
    ("127.0.0.1:5000/Wasm/q:1", "not a valid repository name"),
    ("127.0.0.1:5000/wasm//q:1", "not a valid repository name"),
    ("127.0.0.1:5000/-q:1", "not a valid repository name"),
    ("127.0.0.1:5000/q:" + "t" * 129, "not a valid tag"),
    ("127.0.0.1:5000/q:.hidden", "not a valid tag"),
    ("127.0.0.1:5000/q@sha256:xyz", "not a sha256 digest"),
    (f"127.0.0.1:5000/q@md5:{'ab' * 16}", "not a sha256 digest"),
])
def test_bad_references_are_invalid_input(text: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint) as caught:
        parse_reference(text)
    assert repr(text) in str(caught.value)  # the message names what was given


@pytest.mark.parametrize("url, insecure, problem", [
    ("https://storage.example/blob?sig=1", False, None),
    ("http://127.0.0.1:5000/v2/", False, None),
    ("http://[::1]/token", False, None),
    ("http://storage.example/blob", True, None),
    ("http://storage.example/blob", False, "over plain http"),
    ("http://127.0.0.1.example.org/token", False, "over plain http"),
    ("https://user@storage.example/blob", False, "not a registry URL"),
    ("http://127.0.0.1@example.org/", True, "not a registry URL"),
    ("file:///etc/passwd", True, "not a registry URL"),
    ("ftp://storage.example/blob", True, "not a registry URL"),
])
def test_urls_a_registry_hands_us_are_checked(url: str, insecure: bool, problem: str | None) -> None:
    if problem is None:
        check_url(url, "registry", insecure)
    else:
        with pytest.raises(InvalidInput, match=problem):
            check_url(url, "registry", insecure)


def test_targets() -> None:
    assert Target.parse("127.0.0.1:5000/ci/images") == Target("127.0.0.1:5000", "ci/images")
    assert Target.parse("http://registry.example:5000/wasm/") == Target("http://registry.example:5000", "wasm")
    assert Target.parse("registry.example").repository("quickjs") == "quickjs"
    assert Target.parse("registry.example/wasm").repository("quickjs") == "wasm/quickjs"
    with pytest.raises(InvalidInput, match="want a registry"):
        Target.parse("https://")


# The client against scripted servers.

@dataclass
class Challenge(Behaviour):
    """401 with a WWW-Authenticate header."""

    header: str = 'Basic realm="test"'

    def respond(self, handler, server):
        handler.send_response(401)
        handler.send_header("WWW-Authenticate", self.header)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


def client_for(server: FlakyServer, **options) -> RegistryClient:
    options.setdefault("credentials", Credentials())
    return RegistryClient(f"127.0.0.1:{server.port}", backoff=0.01, **options)


@pytest.mark.parametrize("failure", [Status(429), Status(502), ShortBody(b'{"schemaVersion":2}'),
                                     Drop(b'{"schemaVersion":2}', after=5)], ids=["429", "502", "short", "dropped"])
def test_transient_failures_are_retried(flaky_server: FlakyServer, failure: Behaviour, capsys) -> None:
    flaky_server.route(MANIFEST, failure, Serve(b'{"schemaVersion":2}'))
    assert client_for(flaky_server).manifest("wasm/quickjs", "1.0-r1") == b'{"schemaVersion":2}'
    assert flaky_server.count(MANIFEST) == 2
    assert "[registry] GET http://127.0.0.1" in capsys.readouterr().err


def test_giving_up_is_unavailable(flaky_server: FlakyServer) -> None:
    flaky_server.route(MANIFEST, Status(503))
    with pytest.raises(Unavailable, match="HTTP 503 .*gave up after 3 attempts"):
        client_for(flaky_server, attempts=3).manifest("wasm/quickjs", "1.0-r1")
    assert flaky_server.count(MANIFEST) == 3


def test_a_missing_manifest_is_none_and_a_missing_blob_is_not_found(flaky_server: FlakyServer) -> None:
    client = client_for(flaky_server)
    assert client.manifest("wasm/quickjs", "1.0-r1") is None
    with pytest.raises(NotFound, match="HTTP 404"):
        client.fetch_blob("wasm/quickjs", Blob(CONFIG_TYPE, DIGEST, 10), io.BytesIO())
    assert flaky_server.count(MANIFEST) == 1  # a 404 is an answer, not worth another attempt


def test_basic_challenge_is_answered_once(flaky_server: FlakyServer) -> None:
    flaky_server.route(MANIFEST, Challenge(), Serve(b"{}"))
    client = client_for(flaky_server, credentials=Credentials(user="ci", password="s3cret"))
    assert client.manifest("wasm/quickjs", "1.0-r1") == b"{}"
    first, second = flaky_server.requests_for(MANIFEST)
    assert "Authorization" not in first.headers and second.headers["Authorization"] == "Basic Y2k6czNjcmV0"

    flaky_server.route(MANIFEST, Challenge())  # wrong credentials: the registry keeps saying 401
    wrong = client_for(flaky_server, credentials=Credentials(user="ci", password="wrong"))
    with pytest.raises(InvalidInput, match="HTTP 401"):
        wrong.manifest("wasm/quickjs", "1.0-r1")
    assert flaky_server.count(MANIFEST) == 2 + 2  # the first answer's two, then one challenge and one retry


def test_a_challenge_without_credentials_says_what_to_set(flaky_server: FlakyServer) -> None:
    flaky_server.route(MANIFEST, Challenge())
    with pytest.raises(InvalidInput, match="WASMIMAGE_REGISTRY_USER"):
        client_for(flaky_server).manifest("wasm/quickjs", "1.0-r1")


def test_redirect_to_another_host_drops_the_credentials(flaky_server: FlakyServer) -> None:
    data = b'{"rootfs":{}}'
    blob = Blob(CONFIG_TYPE, sha256_digest(data), len(data))
    storage = FlakyServer().start()
    try:
        storage.route("/blob", Serve(data))
        flaky_server.route(f"/v2/wasm/quickjs/blobs/{blob.digest}", Redirect(storage.url("/blob"), code=307))
        sink = io.BytesIO()
        client_for(flaky_server, credentials=Credentials(token="secret-token")).fetch_blob("wasm/quickjs", blob, sink)
        assert sink.getvalue() == data
        assert flaky_server.requests[0].headers["Authorization"] == "Bearer secret-token"
        assert "Authorization" not in storage.requests_for("/blob")[0].headers
    finally:
        storage.stop()


def test_redirect_to_plain_http_elsewhere_is_refused(flaky_server: FlakyServer) -> None:
    flaky_server.route(MANIFEST, Redirect("http://storage.example/manifest"))
    with pytest.raises(InvalidInput, match="over plain http"):
        client_for(flaky_server).manifest("wasm/quickjs", "1.0-r1")


def test_head_of_a_large_blob_reads_no_body(flaky_server: FlakyServer) -> None:
    """HEAD answers carry the blob's Content-Length: that is no body over the limit."""
    flaky_server.route(f"/v2/wasm/quickjs/blobs/{DIGEST}", Serve(b"x" * (1 << 20)))
    assert client_for(flaky_server).blob_exists("wasm/quickjs", DIGEST)
    assert not client_for(flaky_server).blob_exists("wasm/quickjs", "sha256:" + "cd" * 32)
