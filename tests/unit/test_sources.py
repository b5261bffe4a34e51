"""The source kinds as a table (wasmimage/sources/): coverage of the recipe schema, the direction
of imports, the error kinds fetch raises, and the mirror round trip every kind must survive.

No image and no doit: local files, a git repository and an HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.flaky_server import Fail, Serve
from wasmimage.errors import InvalidInput, NotFound, Tampered, Unavailable
from wasmimage.pipeline.fetch import FetchSettings, cached_path, fetch, mirror_name, to_mirror
from wasmimage.sources.base import Source
from wasmimage.sources.table import KINDS, source_of

ROOT = Path(__file__).resolve().parents[2]
DATA = os.urandom(50_000)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_recipe_schema_has_one_alternative_for_each_kind_a_recipe_can_name():
    """The schema's `oneOf` and the table cannot drift: one alternative per kind with a `parse`, none
    other, each naming its kind first and refusing every other kind's field but those it may `also` hold."""
    source = json.loads((ROOT / "wasmimage" / "schemas" / "recipe.schema.json").read_text())["$defs"]["source"]
    in_recipes = {key for key, kind in KINDS.items() if kind.parse is not None}
    named = [branch["required"][0] for branch in source["oneOf"]]
    assert sorted(named) == sorted(in_recipes)  # each once, and no alternative without a kind
    for branch in source["oneOf"]:
        kind = KINDS[branch["required"][0]]
        refused = {alternative["required"][0] for alternative in branch["not"]["anyOf"]}
        assert refused & set(KINDS) == in_recipes - {kind.key, *kind.also}, kind.key
        assert kind.key in source["properties"] and set(kind.also) <= set(source["properties"])
    # the one kind only toolchains name: a pypi-wheel provider's wheel (wasmimage/pipeline/tools.py)
    toolchain_schema = json.loads((ROOT / "wasmimage" / "schemas" / "toolchain.schema.json").read_text())
    assert set(KINDS) - in_recipes == {"pypi-wheel"}
    assert "pypi-wheel" in toolchain_schema["$defs"]["provider"]["properties"]["kind"]["enum"]
    assert all(kind.key == key for key, kind in KINDS.items())


def test_each_kind_reads_its_recipe_entry_with_its_own_defaults():
    """The file name and subdir each kind derives when the entry gives none; a cargo-vendor is linked
    to the earlier source it serves; every entry is read by the kind whose field it has."""
    where = "demo.yaml: sources[0]"
    entries = [{"name": "u", "url": "https://example.org/dl/u-1.0.tar.gz?x=1", "sha256": "b" * 64,
                "debian-source": {"package": "u", "suite": "trixie", "file": "u_1.0.orig.tar.gz"}},
               {"name": "g", "git": "https://example.org/repo.git/", "commit": "a" * 40},
               {"name": "p", "pypi-sdist": "Quick.JS-ng==0.17.0.2", "sha256": "c" * 64},
               {"name": "c", "crate": "rustpython==0.6.0", "sha256": "d" * 64},
               {"name": "d", "debian-source": {"package": "zlib", "suite": "bookworm", "file": "zlib.tar.bz2"},
                "sha256": "e" * 64},
               {"name": "v", "cargo-vendor": "c"}]
    sources: list[Source] = []
    for entry in entries:
        sources.append(source_of(entry, sources, where))
    assert [(s.kind, s.location, s.filename, s.subdir) for s in sources] == [
        ("url", "https://example.org/dl/u-1.0.tar.gz?x=1", "u-1.0.tar.gz", None),
        ("git", "https://example.org/repo.git/", "repo", None),
        ("pypi-sdist", "Quick.JS-ng==0.17.0.2", "quick_js_ng-0.17.0.2.tar.gz", None),
        ("crate", "rustpython==0.6.0", "rustpython-0.6.0.crate", "rustpython-0.6.0"),
        ("debian-source", "zlib", "zlib.tar.bz2", None),
        ("cargo-vendor", "c", f"c-{'d' * 64}-vendor.tar.gz", None)]
    assert sources[0].debian == entries[0]["debian-source"] and sources[5].vendors == sources[3]
    given = source_of({**entries[3], "filename": "x.crate", "subdir": "x"}, [], where)
    assert (given.filename, given.subdir) == ("x.crate", "x")
    with pytest.raises(InvalidInput, match=r"sources\[0\]\.cargo-vendor: 'v' must name an earlier source"):
        source_of({"name": "w", "cargo-vendor": "v"}, sources, where)  # another cargo-vendor serves no lock


def test_imports_point_down_from_fetch_to_the_kinds_to_cargo():
    """cargo.py and every kind load without the fetch stage (or the outdated channels their `releases` name);
    one kind module loads no template or YAML library."""
    probe = ("import sys, wasmimage.sources.cargo, wasmimage.sources.base, wasmimage.sources.git, "
             "wasmimage.sources.cargo_vendor, wasmimage.sources.crate, wasmimage.sources.url, "
             "wasmimage.sources.pypi_sdist\n"
             "print(sorted(m for m in ('wasmimage.pipeline.fetch', 'wasmimage.sources.table', "
             "'wasmimage.pipeline.build', 'wasmimage.pipeline.outdated') if m in sys.modules))\n"
             "import wasmimage.sources.debian_source\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "[]"
    lone = subprocess.run([sys.executable, "-c", "import sys, wasmimage.sources.debian_source\n"
                           "print(sorted(m for m in ('jinja2', 'yaml', 'jsonschema', 'requests', 'doit', "
                           "'wasmimage.pipeline.recipe', 'wasmimage.sources.cargo') if m in sys.modules))"],
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert lone.stdout.strip() == "[]"


def url_source(url: str, data: bytes = DATA) -> Source:
    return Source("demo", "url", url, sha(data), None, url.rsplit("/", 1)[-1], None)


def quick(tmp_path: Path, *mirrors: str | Path) -> FetchSettings:
    return FetchSettings(tmp_path / "cache", tuple(map(str, mirrors)), attempts=2, backoff=0.01, timeout=2.0)


def test_fetch_raises_the_kind_of_error_that_fits(tmp_path, flaky_server):
    with pytest.raises(NotFound, match="HTTP 404"):
        fetch(url_source(flaky_server.url("/gone.tar.gz")), quick(tmp_path))
    with pytest.raises(Unavailable, match=r"HTTP 503 \(gave up after 2 attempts\)"):
        fetch(url_source(flaky_server.route("/busy.tar.gz", Fail(503, times=9))), quick(tmp_path))
    with pytest.raises(Tampered, match="sha256 mismatch"):
        fetch(url_source(flaky_server.route("/other.tar.gz", Serve(os.urandom(100)))), quick(tmp_path))
    # A mirror's failure does not decide the kind; the last location tried (upstream) does.
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "gone2.tar.gz").write_bytes(b"not these bytes")
    with pytest.raises(NotFound) as raised:
        fetch(url_source(flaky_server.url("/gone2.tar.gz")), quick(tmp_path, mirror))
    assert f"mirror demo: sha256 mismatch for {mirror}/gone2.tar.gz" in str(raised.value)


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_what_to_mirror_writes_is_what_fetch_finds_there(tmp_path, flaky_server):
    """A url and a git source fetched once, written to a mirror directory, fetched again from it alone."""
    work = tmp_path / "upstream" / "demo"
    work.mkdir(parents=True)
    _git("init", "-q", "-b", "main", str(work))
    (work / "main.c").write_text("int main(void) { return 0; }\n")
    _git("add", "main.c", cwd=work)
    _git("commit", "-q", "-m", "one", cwd=work)
    commit = _git("rev-parse", "HEAD", cwd=work)
    sources = [url_source(flaky_server.route("/demo-1.0.tar.gz", Serve(DATA))),
               Source("demo-git", "git", f"file://{work}", None, commit, "demo", None)]
    first = quick(tmp_path / "one")
    for source in sources:
        fetch(source, first)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    lines = [to_mirror(source, first, mirror) for source in sources]
    assert lines == [str(mirror / "demo-1.0.tar.gz"), f"{mirror / 'demo.git'} (commit {commit})"]
    assert sorted(p.name for p in mirror.iterdir()) == sorted(mirror_name(s) for s in sources)

    _git("commit", "-q", "--allow-empty", "-m", "gone", cwd=work)  # upstream moves on ...
    (tmp_path / "upstream").rename(tmp_path / "elsewhere")  # ... and away
    second = quick(tmp_path / "two", mirror)
    for source in sources:
        assert fetch(source, second) == cached_path(source, second)
    assert flaky_server.count("/demo-1.0.tar.gz") == 1
    assert cached_path(sources[0], second).read_bytes() == DATA


def test_a_recorded_pin_names_one_location():
    """Publish's annotation, inspect and the provenance name a pin's origin from one function."""
    from wasmimage.sources import pins

    assert pins.location({"name": "q", "url": "https://example.org/q.tar.gz", "sha256": "0" * 64}) \
        == "https://example.org/q.tar.gz"
    assert pins.location({"name": "q", "url": "https://example.org/q.tar.gz", "sha256": "0" * 64,
                          "debian-source": {"package": "q", "suite": "trixie", "file": "q.orig.tar.gz"}}) \
        == "https://example.org/q.tar.gz"
    assert pins.location({"name": "g", "git": "https://example.org/g.git", "commit": "a" * 40}) \
        == "https://example.org/g.git"
    assert pins.location({"name": "r", "crate": "rustpython==0.6.0", "sha256": "0" * 64}) \
        == "pkg:cargo/rustpython@0.6.0"
    assert pins.location({"name": "s", "pypi-sdist": "six==1.16.0", "sha256": "0" * 64}) == "pkg:pypi/six@1.16.0"
    assert pins.location({"name": "c", "debian-source": {"package": "python3.13", "suite": "trixie"}}) \
        == "pkg:deb/debian/python3.13?distro=trixie"
    assert pins.location({"name": "crates", "cargo-vendor": "rustpython", "sha256": "0" * 64}) is None
    assert pins.location({"name": "odd", "sha256": "0" * 64}) is None  # no kind's field: nothing to name
