"""Pulls are bounded, and only real loopback registries get plain http (issue 16, items 5, 6, 10).

Each test is one of the attacks that used to work: an endless manifest, a server trickling a
byte at a time, a gzip bomb, a tar of endless repeated headers, a layout blob that is a
symbolic link, a layer with files image.json does not list, a host name that merely starts
with 127., and a directory named like a digest-pinned reference. Servers are real, on
127.0.0.1 (tests/helpers/flaky_server.py); layers are made here byte by byte, as an attacker would.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import zlib
from pathlib import Path

import pytest

from helpers.flaky_server import Flood, Serve, Trickle, TrickleHead
from helpers.project import QUICKJS_TAG
from wasmimage.digests import sha256_digest
from wasmimage.errors import InvalidInput, PipelineError, Tampered, Unavailable
from wasmimage.registry.client import RegistryClient
from wasmimage.registry.descriptors import (
    CONFIG_TYPE,
    LAYER_TYPE,
    LIMITS,
    MANIFEST_TYPE,
    REF_NAME,
    TITLE,
    Blob,
    blob_path,
)
from wasmimage.registry.pull import RegistrySource, pull, resolve_image_ref
from wasmimage.registry.reference import base_url, is_loopback
from wasmimage.runtime.image import MANIFEST, open_image
from wasmimage.settings import Settings

TAG = QUICKJS_TAG
PREFIX = "opt/wasm-images/quickjs"


# Layers and layouts, made by hand.

def header(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> bytes:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mode = kind, size, 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info.tobuf(tarfile.PAX_FORMAT)


def entry(name: str, data: bytes) -> bytes:
    return header(name, len(data)) + data + b"\0" * (-len(data) % 512)


def image_tar(image: Path, extra: dict[str, bytes] | None = None, repeat_dirs: int = 1) -> bytes:
    """The image's files as a layer tar; the parent directories `repeat_dirs` times (first)."""
    dirs = b"".join(header(d, kind=tarfile.DIRTYPE) for d in ("opt", "opt/wasm-images", PREFIX))
    listed = [*json.loads((image / MANIFEST).read_text())["files"], MANIFEST]  # what a published layer holds
    files = {name: (image / name).read_bytes() for name in sorted(listed)} | (extra or {})
    return dirs * repeat_dirs + b"".join(entry(f"{PREFIX}/{n}", d) for n, d in files.items()) + b"\0" * 1024


def put_blob(root: Path, data: bytes) -> dict:
    digest = sha256_digest(data)
    path = blob_path(root, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": digest, "size": len(data)}


def layout(root: Path, layer: bytes | Path, diff_id: str) -> str:
    """An OCI layout holding one image with this gzip'd layer; returns its oci-layout: reference."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    if isinstance(layer, Path):
        digest = "sha256:" + hashlib.sha256(layer.read_bytes()).hexdigest()
        path = blob_path(root, digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        layer.rename(path)
        layer_desc = {"digest": digest, "size": path.stat().st_size}
    else:
        layer_desc = put_blob(root, layer)
    config = put_blob(root, json.dumps({"architecture": "amd64", "os": "linux",
                                        "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode())
    manifest = put_blob(root, json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, **config}, "layers": [{"mediaType": LAYER_TYPE, **layer_desc}],
        "annotations": {TITLE: "quickjs"}}).encode())
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": MANIFEST_TYPE, **manifest, "annotations": {REF_NAME: TAG}}]}))
    return f"oci-layout:{root}:{TAG}"


def tar_layout(root: Path, tar: bytes) -> str:
    return layout(root, gzip.compress(tar, 1), sha256_digest(tar))


@pytest.fixture
def pulled_files(tmp_path: Path):
    """What a pull left in its cache's image directories (nothing, after a refusal)."""
    def files() -> list[Path]:
        return sorted(p for p in (tmp_path / "cache" / "images").rglob("*") if p.is_file())
    return files


def control_pull(quickjs_image: Path, tmp_path: Path) -> None:
    """The hand-made layout of the untouched image pulls and opens: each refusal is due to its one change."""
    ref = tar_layout(tmp_path / "control", image_tar(quickjs_image))
    assert open_image(resolve_image_ref(ref, cache=tmp_path / "control-cache")).name == "quickjs"


# Registry answers: size and time.

def test_endless_manifest_is_cut_at_the_limit(flaky_server, tmp_path: Path) -> None:
    flood = Flood()
    flaky_server.route("/v2/wasm/quickjs/manifests/1.0-r1", flood)
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", attempts=1)
    with pytest.raises(InvalidInput, match=f"over the {LIMITS.manifest_bytes}-byte limit"):
        pull(RegistrySource(client, "wasm/quickjs"), "1.0-r1", tmp_path / "cache", "the flood")
    assert flood.sent < 4 * LIMITS.manifest_bytes  # it stopped reading, it did not take it all in


def test_declared_huge_manifest_is_refused_before_reading(flaky_server, tmp_path: Path) -> None:
    flood = Flood(declared=600 << 20)
    flaky_server.route("/v2/wasm/quickjs/manifests/1.0-r1", flood)
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", attempts=1)
    with pytest.raises(PipelineError, match="the answer is 629145600 bytes, over the"):
        client.manifest("wasm/quickjs", "1.0-r1")


def test_trickling_server_meets_the_deadline(flaky_server, tmp_path: Path) -> None:
    """A byte every 0.2 s: no single read ever times out, the whole answer must still end."""
    flaky_server.route("/v2/wasm/quickjs/manifests/1.0-r1", Trickle(length=10_000, interval=0.2))
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", attempts=1, timeout=5, deadline=2)
    started = time.monotonic()
    with pytest.raises(Unavailable, match="the answer took longer than 2s"):
        pull(RegistrySource(client, "wasm/quickjs"), "1.0-r1", tmp_path / "cache", "the trickle")
    assert time.monotonic() - started < 30  # generous: the point is that it ends


def test_server_trickling_its_headers_meets_the_deadline(flaky_server, tmp_path: Path) -> None:
    flaky_server.route("/v2/wasm/quickjs/manifests/1.0-r1", TrickleHead(interval=0.2))
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", attempts=1, timeout=5, deadline=2)
    started = time.monotonic()
    with pytest.raises(Unavailable, match="no complete answer within 2s"):
        client.manifest("wasm/quickjs", "1.0-r1")
    assert time.monotonic() - started < 30


def test_blob_larger_than_declared_is_cut(flaky_server, tmp_path: Path) -> None:
    data = b"x" * 100_000
    blob = Blob(CONFIG_TYPE, sha256_digest(data[:10]), 10)
    flaky_server.route(f"/v2/wasm/quickjs/blobs/{blob.digest}", Serve(data, ranges=False))
    client = RegistryClient(f"127.0.0.1:{flaky_server.port}", attempts=1)
    sink = io.BytesIO()
    with pytest.raises(PipelineError, match="over the 10-byte limit"):
        client.fetch_blob("wasm/quickjs", blob, sink)
    assert len(sink.getvalue()) == 0


def test_layer_declared_over_the_limit_is_not_fetched(tmp_path: Path) -> None:
    ref = layout(tmp_path / "layout", b"small", sha256_digest(b""))
    manifest_path = next(p for p in (tmp_path / "layout/blobs/sha256").iterdir() if b"layers" in p.read_bytes())
    manifest = json.loads(manifest_path.read_bytes())
    manifest["layers"][0]["size"] = 5 << 30
    data = json.dumps(manifest).encode()
    index = json.loads((tmp_path / "layout/index.json").read_text())
    index["manifests"][0].update(put_blob(tmp_path / "layout", data))
    (tmp_path / "layout/index.json").write_text(json.dumps(index))
    with pytest.raises(PipelineError, match="declared as 5368709120 bytes, over the"):
        resolve_image_ref(ref, cache=tmp_path / "cache")


# Layers: decompressed size, entries, names.

def test_layer_not_matching_its_diff_id_is_tampered(tmp_path: Path, pulled_files) -> None:
    ref = layout(tmp_path / "layout", gzip.compress(b"\0" * 1024), sha256_digest(b"another layer"))
    with pytest.raises(Tampered, match="not the config's diff_id"):
        resolve_image_ref(ref, cache=tmp_path / "cache")
    assert pulled_files() == []


def test_gzip_bomb_layer_is_refused_without_filling_the_disk(tmp_path: Path, pulled_files) -> None:
    """600 MiB of zeros in about 600 KiB, with a matching diff_id: it used to land in the cache whole."""
    size = 600 << 20
    compressor, digest = zlib.compressobj(1, zlib.DEFLATED, 31), hashlib.sha256()
    bomb = tmp_path / "bomb.gz"
    with bomb.open("wb") as out:
        zeros = b"\0" * (1 << 20)
        for block in [header(f"{PREFIX}/{MANIFEST}", size)] + [zeros] * (size >> 20) + [b"\0" * 1024]:
            digest.update(block)
            out.write(compressor.compress(block))
        out.write(compressor.flush())
    assert bomb.stat().st_size < 4 << 20
    ref = layout(tmp_path / "layout", bomb, "sha256:" + digest.hexdigest())
    with pytest.raises(InvalidInput, match=f"unpacks to more than {LIMITS.unpacked_bytes} bytes"):
        resolve_image_ref(ref, cache=tmp_path / "cache")
    assert pulled_files() == []


@pytest.mark.parametrize("flood", ["repeated headers", "distinct files"])
def test_endless_tar_headers_are_refused(quickjs_image: Path, tmp_path: Path, pulled_files, flood: str) -> None:
    """300k repeated headers took 172 MB and 23 s; as many small files would all be unpacked."""
    control_pull(quickjs_image, tmp_path)
    if flood == "repeated headers":
        tar, expected = image_tar(quickjs_image, repeat_dirs=100_000), "holds 'opt' twice"
    else:
        many = {f"f{i}": b"" for i in range(20_000)}
        tar, expected = image_tar(quickjs_image, extra=many), f"more than {LIMITS.tar_entries} entries"
    ref = tar_layout(tmp_path / "layout", tar)
    started = time.monotonic()
    with pytest.raises(PipelineError, match=expected):
        resolve_image_ref(ref, cache=tmp_path / "cache")
    assert time.monotonic() - started < 60 and pulled_files() == []


def test_a_file_twice_in_the_layer_is_a_clear_error(quickjs_image: Path, tmp_path: Path) -> None:
    tar = image_tar(quickjs_image)
    twice = tar[:-1024] + entry(f"{PREFIX}/{MANIFEST}", b"{}") + b"\0" * 1024
    with pytest.raises(PipelineError, match=f"holds '{PREFIX}/{MANIFEST}' twice"):
        resolve_image_ref(tar_layout(tmp_path / "layout", twice), cache=tmp_path / "cache")


def test_file_not_listed_in_image_json_is_refused(quickjs_image: Path, tmp_path: Path, pulled_files) -> None:
    control_pull(quickjs_image, tmp_path)
    ref = tar_layout(tmp_path / "layout", image_tar(quickjs_image, extra={"run-me.sh": b"#!/bin/sh\nrm -rf ~\n"}))
    with pytest.raises(PipelineError, match=f"files {MANIFEST} does not list: run-me.sh"):
        resolve_image_ref(ref, cache=tmp_path / "cache")
    assert pulled_files() == []


# Layouts on disk: no links followed.

@pytest.mark.parametrize("where", ["blob", "blobs directory"])
def test_symlink_in_a_layout_is_not_followed(quickjs_image: Path, tmp_path: Path, where: str) -> None:
    """A link to a copy of the right bytes (a link to /dev/zero used to be read forever)."""
    ref = tar_layout(tmp_path / "layout", image_tar(quickjs_image))
    blobs = tmp_path / "layout" / "blobs" / "sha256"
    if where == "blob":
        layer = max(blobs.iterdir(), key=lambda p: p.stat().st_size)
        target = tmp_path / "elsewhere" / layer.name
        target.parent.mkdir()
        layer.rename(target)
        layer.symlink_to(target)
    else:
        blobs.rename(tmp_path / "elsewhere")
        blobs.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PipelineError, match="cannot open it without following links"):
        resolve_image_ref(ref, cache=tmp_path / "cache")


def test_layout_blob_that_is_a_fifo_is_refused(quickjs_image: Path, tmp_path: Path) -> None:
    ref = tar_layout(tmp_path / "layout", image_tar(quickjs_image))
    layer = max((tmp_path / "layout/blobs/sha256").iterdir(), key=lambda p: p.stat().st_size)
    layer.unlink()
    os.mkfifo(layer)
    with pytest.raises(PipelineError, match="not a regular file"):
        resolve_image_ref(ref, cache=tmp_path / "cache")


# Plain http: only a real loopback host, parsed.

def test_plain_http_only_for_real_loopback_hosts() -> None:
    for local in ("127.0.0.1:5000", "127.8.9.10:5000", "localhost:5000", "[::1]:5000", "LOCALHOST"):
        assert base_url(local).startswith("http://"), local
    for remote in ("127.0.0.1.example.org:5000", "127.example.org", "localhost.example.org:5000",
                   "[::ffff:8.8.8.8]:5000", "1270.0.0.1:5000"):
        assert base_url(remote) == f"https://{remote}", remote
        assert not is_loopback(remote)
    for userinfo in ("127.0.0.1@example.org:5000", "127.0.0.1:5000@example.org", "user:pw@127.0.0.1:5000"):
        assert not is_loopback(userinfo)
        with pytest.raises(PipelineError, match="holds no user name or password"):
            base_url(userinfo)


def test_no_request_leaves_for_a_host_hidden_behind_userinfo(flaky_server) -> None:
    """`127.0.0.1@localhost:PORT` is localhost with a user name: it used to go out over http with the
    bearer token, to whatever the part after @ names."""
    flaky_server.route("/v2/wasm/quickjs/manifests/1.0-r1", Serve(b"{}"))
    with pytest.raises(InvalidInput, match="holds no user name or password"):
        resolve_image_ref(f"127.0.0.1@localhost:{flaky_server.port}/wasm/quickjs:1.0-r1",
                          settings=Settings(registry_token="secret-token"))
    assert flaky_server.requests == []


def test_token_service_over_http_must_be_loopback_by_its_parsed_host() -> None:
    client = RegistryClient("registry.example:5000")
    for realm in ("http://127.0.0.1.example.org/token", "http://127.0.0.1@example.org/token"):
        with pytest.raises(PipelineError, match="over plain http|not a token service URL"):
            client._fetch_token({"realm": realm}, "repository:x:pull")


# A digest pin is never satisfied by a local directory.

def test_directory_named_like_a_pinned_reference_is_not_run(quickjs_image: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ref = f"127.0.0.1:5000/wasm/quickjs@sha256:{'ab' * 32}"
    planted = tmp_path / ref
    planted.parent.mkdir(parents=True)
    planted.symlink_to(quickjs_image)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PipelineError, match="is both an image reference and a path here; write ./"):
        resolve_image_ref(ref, cache=tmp_path / "cache")
    assert resolve_image_ref(f"./{ref}") == Path(f"./{ref}")  # asked for as a path, it is one


def test_run_and_call_refuse_a_directory_named_like_a_reference_as_pull_does(quickjs_image: Path,
                                                                              tmp_path: Path) -> None:
    """Guards issue 24 item 13: the CLI's run and call took a local directory before asking whether its
    name was a reference, so they ran what pull and inspect refused. Fails if any of them uses it."""
    ref = f"127.0.0.1:5000/wasm/quickjs@sha256:{'ab' * 32}"
    (tmp_path / ref).parent.mkdir(parents=True)
    (tmp_path / ref).symlink_to(quickjs_image)
    (tmp_path / "main.js").write_text("print('ran the planted directory')")
    (tmp_path / "request.json").write_text('{"function": "function f() { return 1 }", "name": "f"}')
    env = {**os.environ, "WASMIMAGE_OCI_CACHE": str(tmp_path / "cache")}
    for command in (["run", ref, "main.js"], ["call", ref, "request.json"], ["pull", ref], ["inspect", ref]):
        done = subprocess.run([sys.executable, "-m", "wasmimage", *command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "is both an image reference and a path here" in done.stderr, (command, done)
    done = subprocess.run([sys.executable, "-m", "wasmimage", "run", f"./{ref}", "main.js"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout == "ran the planted directory\n"  # asked for as a path, it is one


def test_a_cached_pull_changed_since_is_refused_without_the_manifest_annotation(quickjs_image: Path,
                                                                                tmp_path: Path) -> None:
    """Guards issue 24 item 13: a pulled image directory is reused by later pulls; it was checked against
    the layer only through the manifest's image.json annotation, so without one, image.json and a file
    changed together in the cache were used. Fails if the reused directory is not the layer's."""
    ref = tar_layout(tmp_path / "layout", image_tar(quickjs_image))  # this layout's manifest has no annotation
    pulled = resolve_image_ref(ref, cache=tmp_path / "cache")
    manifest = json.loads((pulled / MANIFEST).read_text())
    executor = pulled / manifest["roles"]["executor"]
    executor.write_text("print('not the published executor')")
    manifest["files"][executor.name] = {"sha256": hashlib.sha256(executor.read_bytes()).hexdigest(),
                                        "size": executor.stat().st_size}
    (pulled / MANIFEST).write_text(json.dumps(manifest))
    open_image(pulled)  # consistent in itself
    with pytest.raises(Tampered, match=f"is not the layer's {MANIFEST}"):
        resolve_image_ref(ref, cache=tmp_path / "cache")


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("broken", ["manifest without config", "deep manifest", "deep config", "deep index.json",
                                    "deep image.json in the layer"])
def test_malformed_layouts_are_clear_errors(quickjs_image: Path, tmp_path: Path, broken: str) -> None:
    """Guards issue 24 item 12: these ended in KeyError, RecursionError or ValueError tracebacks. Fails if
    any is not an error naming what is wrong (PipelineError, the CLI's exit 2-5)."""
    tar = image_tar(quickjs_image, extra={MANIFEST: DEEP} if broken == "deep image.json in the layer" else None)
    ref = tar_layout(tmp_path / "layout", tar)
    root = tmp_path / "layout"
    index = json.loads((root / "index.json").read_text())
    manifest_path = blob_path(root, index["manifests"][0]["digest"])
    manifest = json.loads(manifest_path.read_text())
    if broken == "deep index.json":
        (root / "index.json").write_bytes(DEEP)
    elif broken in ("manifest without config", "deep manifest", "deep config"):
        if broken == "deep config":
            manifest["config"].update(put_blob(root, DEEP))
        elif broken == "manifest without config":
            del manifest["config"]
        data = DEEP if broken == "deep manifest" else json.dumps(manifest).encode()
        index["manifests"][0].update(put_blob(root, data))
        (root / "index.json").write_text(json.dumps(index))
    with pytest.raises(PipelineError):
        resolve_image_ref(ref, cache=tmp_path / "cache")
