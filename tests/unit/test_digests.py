"""The digest rules (wasmimage/digests.py): one canonical JSON, one sha256, the same bytes everywhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from wasmimage import digests
from wasmimage.errors import PipelineError
from wasmimage.pipeline import cache
from wasmimage.pipeline.project import Project
from wasmimage.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
VALUE = {"b": {"c": None}, "a": [1, "é"]}
# printf '{"a":[1,"\xc3\xa9"],"b":{"c":null}}' | sha256sum
VALUE_SHA256 = "01c3d8c167a1d353c21737cbd02a86a36a16c0a567182a322942a347aa3bbac3"


def test_canonical_json_is_sorted_compact_utf8_and_matches_a_known_vector() -> None:
    assert digests.canonical_json(VALUE) == b'{"a":[1,"\xc3\xa9"],"b":{"c":null}}'
    assert digests.sha256_json(VALUE) == VALUE_SHA256
    assert digests.sha256_digest(digests.canonical_json(VALUE)) == "sha256:" + VALUE_SHA256
    # FIPS 180-2's example
    assert digests.sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_key_order_and_escaping_do_not_change_the_bytes() -> None:
    same = json.loads('{"a": [1, "\\u00e9"], "b": {"c": null}}')  # é escaped in the input, keys in another order
    assert digests.canonical_json(same) == digests.canonical_json(VALUE)


def test_spaced_json_differs_only_in_separators() -> None:
    assert digests.spaced_json(VALUE) == b'{"a": [1, "\xc3\xa9"], "b": {"c": null}}'
    # For ASCII it is exactly what json.dumps(sort_keys=True) gave, which the recipe digest was defined with.
    ascii_value = {"z": [1, 2], "a": {"k": "v"}}
    assert digests.spaced_json(ascii_value) == json.dumps(ascii_value, sort_keys=True).encode()


def test_sha256_file_streams_a_file_larger_than_a_chunk(tmp_path: Path) -> None:
    data = bytes(range(256)) * (3 * digests.CHUNK // 256 + 7)
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert digests.sha256_file(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert digests.sha256_file(empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_a_cache_entry_is_sealed_over_the_same_canonical_bytes() -> None:
    """Non-ASCII file names are written as UTF-8 in entry.json, as in every other digest."""
    body = {"stage": "verify", "key": "0" * 64, "files": {"résumé.txt": "1" * 64}}
    secret = b"k" * 32
    sealed = cache.seal(body, secret)
    assert "résumé.txt".encode() in sealed and b"\\u" not in sealed
    data = json.loads(sealed)
    assert digests.canonical_json(data) == sealed
    cache.check_seal(data, secret)  # the HMAC is over canonical_json(body)


def test_a_project_resolves_each_toolchain_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving asks dpkg-query; a Project (one doit run) asks once, and keeps a failure too."""
    project = Project(ROOT)
    recipe = project.recipe("quickjs")
    first = project.toolchain(recipe)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dpkg-query from here on: a new resolve would differ
    assert project.toolchain(recipe) is first

    without = Project(ROOT, Settings(toolchain_provider="debian"))
    for _ in range(2):  # the same clear reason each time, from one resolve
        with pytest.raises(PipelineError, match="clang-19 is not installed"):
            without.toolchain(without.recipe("quickjs"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(PipelineError, match="clang-19 is not installed"):
        without.toolchain(without.recipe("quickjs"))
