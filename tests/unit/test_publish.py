"""Publishing images as OCI images: references, plain HTTP only for loopback, retries (the
publishing itself, against a real registry: tests/pipeline/test_publish.py).

Nothing of ours is mocked: images are published by our client, checked by skopeo, pulled
back, verified and run. The only stand-ins are a token service (for the bearer dance the
registry asks for) and a closed port (for retries), because those are other people's parts.
"""

from __future__ import annotations

import pytest

from helpers.flaky_server import FlakyServer, Serve, Status
from wasmimage.errors import InvalidInput, Unavailable
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.reference import base_url, parse_reference

TAG = "0.17.0-r1"


def test_parse_reference() -> None:
    ref = parse_reference("127.0.0.1:5000/wasm/quickjs:0.17.0-r1")
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == ("127.0.0.1:5000", "wasm/quickjs", TAG, None)
    digest = "sha256:" + "ab" * 32
    ref = parse_reference(f"localhost:5000/quickjs@{digest}")
    assert (ref.repository, ref.reference) == ("quickjs", digest)
    for bad in ("quickjs:0.17.0-r1", "127.0.0.1:5000/wasm/quickjs", "127.0.0.1:5000/Wasm/q:1",
                "127.0.0.1:5000/q@sha256:xyz", "nowhere/x:1"):
        with pytest.raises(InvalidInput):
            parse_reference(bad)


def test_plain_http_only_for_loopback() -> None:
    assert base_url("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert base_url("localhost:5000") == "http://localhost:5000"
    assert base_url("registry.example:5000") == "https://registry.example:5000"
    with pytest.raises(InvalidInput, match="--insecure"):
        base_url("http://registry.example:5000")
    assert base_url("http://registry.example:5000", insecure=True) == "http://registry.example:5000"


def test_connection_errors_are_retried_then_reported() -> None:
    from helpers.registry import free_port

    client = RegistryClient(f"127.0.0.1:{free_port()}", attempts=3, backoff=0.01, credentials=Credentials())
    with pytest.raises(Unavailable, match="gave up after 3 attempts"):
        client.manifest("wasm/quickjs", TAG)


def test_5xx_is_retried(flaky_server: FlakyServer) -> None:
    """A server that fails twice with 503, then answers: the client gets the answer."""
    manifest = f"/v2/wasm/quickjs/manifests/{TAG}"
    flaky_server.route(manifest, Status(503), Status(503), Serve(b'{"schemaVersion":2}'))
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", backoff=0.01, credentials=Credentials())
    assert client.manifest("wasm/quickjs", TAG) == b'{"schemaVersion":2}'
    assert flaky_server.count(manifest) == 3
