"""fetch() against a real, misbehaving HTTP server on 127.0.0.1, local mirrors and git repos.

Nothing of wasmimage is mocked. Every test ends in one of two states: the verified file
in the cache, or a clear PipelineError and nothing at all in the cache (no `.partial-*`
either), which `cache_files` checks by listing the cache directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers.flaky_server import Drop, Fail, Redirect, Serve, ShortBody, Stall, Status
from wasmimage.errors import PipelineError
from wasmimage.pipeline import fetch as fetch_module
from wasmimage.pipeline.fetch import PARTIAL, FetchSettings, cached_path, fetch, unpack
from wasmimage.pipeline.recipe import Source
from wasmimage.sources.table import source_of

DATA = os.urandom(300_000)  # several chunks, so a body can break off in the middle
OTHER = os.urandom(300_000)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def url_source(url: str, data: bytes = DATA, name: str = "demo") -> Source:
    return Source(name, "url", url, sha(data), None, url.rsplit("/", 1)[-1], None)


def settings(tmp_path: Path, *mirrors: str | Path, attempts: int = 3, timeout: float = 2.0) -> FetchSettings:
    return FetchSettings(tmp_path / "cache", tuple(str(m) for m in mirrors), attempts=attempts,
                         backoff=0.01, timeout=timeout)


def cache_files(s: FetchSettings) -> list[str]:
    """Every file and directory under the cache, hidden ones included, relative and sorted."""
    if not s.cache_dir.exists():
        return []
    return sorted(str(p.relative_to(s.cache_dir)) for p in s.cache_dir.rglob("*") if not p.is_dir())


def assert_only_verified(s: FetchSettings, source: Source, data: bytes) -> None:
    path = cached_path(source, s)
    assert path.read_bytes() == data
    assert cache_files(s) == [f"sha256/{source.sha256}"]


def assert_cache_empty(s: FetchSettings) -> None:
    assert cache_files(s) == [], "a failed fetch left something in the cache"


# Upstream and the cache


def test_upstream_download_is_verified_and_cached(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo-1.0.tar.gz", Serve(DATA)))
    s = settings(tmp_path)
    assert fetch(source, s) == cached_path(source, s)
    assert_only_verified(s, source, DATA)
    assert fetch(source, s) == cached_path(source, s)  # second time: from the cache
    assert flaky_server.count("/demo-1.0.tar.gz") == 1


def test_body_is_stored_as_served_not_decoded(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Serve(DATA)))
    fetch(source, settings(tmp_path))
    assert flaky_server.requests_for("/demo.tar.gz")[0].headers.get("Accept-Encoding") == "identity"


def test_404_is_a_clear_error_naming_the_url(tmp_path, flaky_server):
    url = flaky_server.url("/missing-1.0.tar.gz")
    s = settings(tmp_path)
    with pytest.raises(PipelineError) as err:
        fetch(url_source(url), s)
    assert url in str(err.value) and "HTTP 404" in str(err.value)
    assert flaky_server.count("/missing-1.0.tar.gz") == 1, "a 404 is not worth retrying"
    assert_cache_empty(s)


def test_sha256_mismatch_shows_both_digests_and_keeps_nothing(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Serve(OTHER)))
    s = settings(tmp_path)
    with pytest.raises(PipelineError) as err:
        fetch(source, s)
    message = str(err.value)
    assert "sha256 mismatch" in message and source.location in message
    assert f"expected {sha(DATA)}" in message and f"actual   {sha(OTHER)}" in message
    assert_cache_empty(s)


def test_corrupted_cache_entry_is_discarded_and_fetched_again(tmp_path, flaky_server, capfd):
    source = url_source(flaky_server.route("/demo.tar.gz", Serve(DATA)))
    s = settings(tmp_path)
    entry = cached_path(source, s)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(DATA[:-1] + bytes([DATA[-1] ^ 1]))  # one bit flipped on disk
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 1
    assert "does not match its digest; discarding it" in capfd.readouterr().err


def test_leftover_of_a_killed_fetch_is_swept_but_a_live_one_is_not(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Serve(DATA)))
    s = settings(tmp_path)
    sha_dir = s.cache_dir / "sha256"
    sha_dir.mkdir(parents=True)
    dead = sha_dir / f"{PARTIAL}dead"
    dead.write_bytes(DATA[:1000])  # what a SIGKILLed fetch leaves: a partial file nobody holds
    live = sha_dir / f"{PARTIAL}live"
    live.write_bytes(DATA[:10])
    with live.open("rb") as held:  # a fetch in progress in another process holds its lock
        fcntl.flock(held, fcntl.LOCK_EX)
        fetch(source, s)
        assert not dead.exists()
        assert live.exists()
    assert cache_files(s) == sorted([f"sha256/{source.sha256}", f"sha256/{PARTIAL}live"])


# Mirrors


def test_local_mirror_hit_never_asks_upstream(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Status(500)))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo.tar.gz").write_bytes(DATA)
    s = settings(tmp_path, mirror)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 0


def test_http_mirror_hit_never_asks_upstream(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/upstream/demo.tar.gz", Status(500)))
    flaky_server.route("/mirror/demo.tar.gz", Serve(DATA))
    s = settings(tmp_path, flaky_server.url("/mirror/"))
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/upstream/demo.tar.gz") == 0
    assert flaky_server.count("/mirror/demo.tar.gz") == 1


def test_mirror_misses_then_upstream(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/upstream/demo.tar.gz", Serve(DATA)))
    empty_dir = tmp_path / "empty-mirror"
    empty_dir.mkdir()
    # a local mirror without the file, an HTTP mirror answering 404, and one that keeps failing
    flaky_server.route("/broken/demo.tar.gz", Fail(503, 99))
    s = settings(tmp_path, empty_dir, flaky_server.url("/mirror"), flaky_server.url("/broken"))
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/mirror/demo.tar.gz") == 1
    assert flaky_server.count("/broken/demo.tar.gz") == s.attempts
    assert flaky_server.count("/upstream/demo.tar.gz") == 1


def test_mirror_with_wrong_bytes_is_not_trusted(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/upstream/demo.tar.gz", Serve(DATA)))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo.tar.gz").write_bytes(OTHER)
    s = settings(tmp_path, mirror)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/upstream/demo.tar.gz") == 1


def test_when_everything_fails_the_error_lists_every_location(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/upstream/demo.tar.gz", Serve(OTHER)))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    flaky_server.route("/mirror/demo.tar.gz", Serve(OTHER))
    s = settings(tmp_path, mirror, flaky_server.url("/mirror"))
    with pytest.raises(PipelineError) as err:
        fetch(source, s)
    message = str(err.value)
    assert source.location in message
    assert f"{mirror}/demo.tar.gz: not there" in message
    assert f"sha256 mismatch for {flaky_server.url('/mirror/demo.tar.gz')}" in message
    assert_cache_empty(s)


# Transfers that break


def test_body_cut_off_is_resumed_with_a_range_request(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Drop(DATA, after=100_000), Serve(DATA)))
    s = settings(tmp_path)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    first, second = flaky_server.requests_for("/demo.tar.gz")
    assert "Range" not in first.headers
    assert second.headers["Range"].startswith("bytes=")
    assert int(second.headers["Range"][6:-1]) > 0, "resumed where the cut-off transfer ended"
    assert second.headers["If-Range"], "a resume must be conditional on the same file"


def test_resume_refused_by_the_server_starts_over(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Drop(DATA, after=100_000), Serve(DATA, ranges=False)))
    s = settings(tmp_path)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 2


def test_body_cut_off_without_validator_restarts_from_zero(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Drop(DATA, after=100_000, etag=False),
                                           Drop(DATA, after=5_000, etag=False), Serve(DATA, etag=False)))
    s = settings(tmp_path)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    requests = flaky_server.requests_for("/demo.tar.gz")
    assert len(requests) == 3
    assert all("Range" not in r.headers for r in requests)


def test_file_changed_between_attempts_is_not_spliced(tmp_path, flaky_server):
    """The first attempt breaks off; by the retry upstream serves other bytes: If-Range makes it
    answer with the whole new file, which then fails verification; nothing is kept."""
    source = url_source(flaky_server.route("/demo.tar.gz", Drop(DATA, after=100_000), Serve(OTHER)))
    s = settings(tmp_path)
    with pytest.raises(PipelineError) as err:
        fetch(source, s)
    assert f"actual   {sha(OTHER)}" in str(err.value)
    assert_cache_empty(s)


def test_always_cut_off_gives_up_with_a_clear_error(tmp_path, flaky_server):
    url = flaky_server.route("/demo.tar.gz", Drop(DATA, after=1000, etag=False))
    s = settings(tmp_path)
    with pytest.raises(PipelineError) as err:
        fetch(url_source(url), s)
    assert url in str(err.value) and f"gave up after {s.attempts} attempts" in str(err.value)
    assert flaky_server.count("/demo.tar.gz") == s.attempts
    assert_cache_empty(s)


def test_short_body_for_its_content_length_is_retried(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", ShortBody(DATA[:-100], extra=100), Serve(DATA)))
    s = settings(tmp_path)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 2


def test_wrong_content_length_every_time_is_a_clear_error(tmp_path, flaky_server):
    url = flaky_server.route("/demo.tar.gz", ShortBody(DATA, extra=100))
    s = settings(tmp_path)
    with pytest.raises(PipelineError) as err:
        fetch(url_source(url), s)
    assert url in str(err.value) and "gave up" in str(err.value)
    assert_cache_empty(s)


@pytest.mark.parametrize("code", [500, 503])
def test_server_errors_are_retried_with_backoff(tmp_path, flaky_server, code):
    source = url_source(flaky_server.route("/demo.tar.gz", Fail(code, times=2), Serve(DATA)))
    s = FetchSettings(tmp_path / "cache", attempts=4, backoff=0.05, timeout=2.0)
    started = time.monotonic()
    fetch(source, s)
    assert time.monotonic() - started >= 0.05 + 0.1, "waits backoff, then twice that"
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 3


def test_server_errors_beyond_the_attempts_give_up(tmp_path, flaky_server):
    url = flaky_server.route("/demo.tar.gz", Fail(503, times=10), Serve(DATA))
    s = settings(tmp_path, attempts=3)
    with pytest.raises(PipelineError) as err:
        fetch(url_source(url), s)
    assert f"{url}: HTTP 503 (gave up after 3 attempts)" in str(err.value)
    assert flaky_server.count("/demo.tar.gz") == 3
    assert_cache_empty(s)


def test_server_that_never_answers_times_out(tmp_path, flaky_server):
    url = flaky_server.route("/demo.tar.gz", Stall())
    s = settings(tmp_path, attempts=2, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(PipelineError) as err:
        fetch(url_source(url), s)
    assert time.monotonic() - started < 10
    assert url in str(err.value) and "timed out" in str(err.value)
    assert flaky_server.count("/demo.tar.gz") == 2
    assert_cache_empty(s)


def test_stall_mid_body_times_out_then_resumes(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Stall(DATA, head=150_000), Serve(DATA)))
    s = settings(tmp_path, timeout=0.3)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.requests_for("/demo.tar.gz")[1].headers.get("Range", "").startswith("bytes=")


def test_redirect_is_followed(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Redirect("/files/abc/demo.tar.gz")))
    flaky_server.route("/files/abc/demo.tar.gz", Serve(DATA))
    s = settings(tmp_path)
    fetch(source, s)
    assert_only_verified(s, source, DATA)
    assert flaky_server.count("/demo.tar.gz") == 1 and flaky_server.count("/files/abc/demo.tar.gz") == 1


def test_redirect_to_wrong_bytes_is_refused(tmp_path, flaky_server):
    source = url_source(flaky_server.route("/demo.tar.gz", Redirect("/elsewhere")))
    flaky_server.route("/elsewhere", Serve(OTHER))
    s = settings(tmp_path)
    with pytest.raises(PipelineError, match="sha256 mismatch"):
        fetch(source, s)
    assert_cache_empty(s)


# git and pypi-sdist sources, from mirror directories: no network at all


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def git_mirror(tmp_path):
    """A mirror directory holding demo.git with two commits; returns (mirror, first, second)."""
    work = tmp_path / "work"
    work.mkdir()
    _git("init", "-q", "-b", "main", str(work))
    (work / "main.c").write_text("int main(void) { return 1; }\n")
    _git("add", "main.c", cwd=work)
    _git("commit", "-q", "-m", "one", cwd=work)
    first = _git("rev-parse", "HEAD", cwd=work)
    (work / "main.c").write_text("int main(void) { return 2; }\n")
    _git("commit", "-q", "-am", "two", cwd=work)
    second = _git("rev-parse", "HEAD", cwd=work)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    _git("clone", "-q", "--bare", str(work), str(mirror / "demo.git"))
    return mirror, first, second


def git_source(commit: str) -> Source:
    # The upstream does not exist: only the mirror can satisfy this.
    return Source("demo", "git", "file:///nonexistent/upstream/demo.git", None, commit, "demo", None)


def test_git_commit_from_mirror_dir_is_fetched_and_unpacked(tmp_path, git_mirror):
    mirror, first, _ = git_mirror
    s = settings(tmp_path, mirror)
    source = git_source(first)  # not the branch tip: a pinned older commit
    path = fetch(source, s)
    assert path == s.cache_dir / "git" / f"{first}.git"
    assert _git("--git-dir", str(path), "cat-file", "-t", first) == "commit"
    dest = tmp_path / "src" / "demo"
    dest.parent.mkdir()
    unpack(source, path, dest)
    assert (dest / "main.c").read_text() == "int main(void) { return 1; }\n"
    assert not [p for p in (s.cache_dir / "git").iterdir() if p.name.startswith(PARTIAL)]


def test_git_commit_not_in_any_repository_is_refused(tmp_path, git_mirror):
    mirror, _, _ = git_mirror
    s = settings(tmp_path, mirror)
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(PipelineError) as err:
        fetch(git_source(missing), s)
    message = str(err.value)
    assert f"cannot fetch commit {missing}" in message
    assert f"{mirror}/demo.git" in message and "file:///nonexistent/upstream/demo.git" in message
    assert list((s.cache_dir / "git").iterdir()) == [], "nothing kept, no partial repository either"


def _sdist(tmp_path: Path, name: str, version: str) -> bytes:
    root = tmp_path / "sdist" / f"{name}-{version}"
    root.mkdir(parents=True)
    (root / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    archive = tmp_path / "sdist.tar.gz"
    subprocess.run(["tar", "-czf", str(archive), "-C", str(root.parent), root.name], check=True)
    return archive.read_bytes()


def test_pypi_sdist_from_mirror_dir_needs_no_index(tmp_path, monkeypatch, capfd):
    data = _sdist(tmp_path, "demo_pkg", "1.0")
    # the recipe loader's own parsing of a source entry, so the file name is the one it derives
    source = source_of({"name": "demo", "pypi-sdist": "demo-pkg==1.0", "sha256": sha(data),
                        "subdir": "demo_pkg-1.0"}, [], "demo.yaml: sources[0]")
    assert source.filename == "demo_pkg-1.0.tar.gz"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / source.filename).write_bytes(data)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # if pip ran at all, it could not find anything
    s = settings(tmp_path, mirror)
    fetch(source, s)
    assert_only_verified(s, source, data)
    assert f"from {mirror / source.filename}" in capfd.readouterr().err
    dest = tmp_path / "unpacked" / "demo"
    dest.parent.mkdir()
    unpack(source, cached_path(source, s), dest)
    assert (dest / "PKG-INFO").is_file()


def test_pypi_sdist_missing_from_mirror_says_how_to_build_offline(tmp_path, monkeypatch):
    source = source_of({"name": "demo", "pypi-sdist": "demo-pkg==1.0", "sha256": sha(DATA)}, [], "demo.yaml")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # offline: pip download must fail, and quickly
    s = settings(tmp_path, mirror)
    with pytest.raises(PipelineError) as err:
        fetch(source, s)
    message = str(err.value)
    assert "pip download demo-pkg==1.0 failed" in message
    assert "put demo_pkg-1.0.tar.gz in a mirror (WASMIMAGE_MIRRORS)" in message
    assert f"{mirror}/demo_pkg-1.0.tar.gz: not there" in message
    assert_cache_empty(s)


def _plant_swapped_blob(repo: Path, path_in_tree: str, commit: str, evil: bytes) -> None:
    """Swap one blob's bytes in a cached bare repository, keeping its object name (what an attacker
    with write access to a shared cache does): unpack the pack into loose objects, rewrite one."""
    import zlib

    for pack in (repo / "objects" / "pack").glob("*.pack"):
        subprocess.run(["git", "--git-dir", str(repo), "unpack-objects", "-q"], input=pack.read_bytes(), check=True)
        pack.unlink()
        pack.with_suffix(".idx").unlink()
    blob = _git("--git-dir", str(repo), "rev-parse", f"{commit}:{path_in_tree}")
    loose = repo / "objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(zlib.compress(b"blob %d\0" % len(evil) + evil))


def test_cached_git_repository_with_a_swapped_blob_is_refused(tmp_path, git_mirror):
    mirror, first, _ = git_mirror
    s = settings(tmp_path, mirror)
    source = git_source(first)
    path = fetch(source, s)
    evil = b"int main(void) { return 666; }\n"
    _plant_swapped_blob(path, "main.c", first, evil)
    # git itself would hand the swapped bytes out: that is what fetch must not let through.
    assert _git("--git-dir", str(path), "show", f"{first}:main.c") == evil.decode().strip()
    with pytest.raises(PipelineError) as err:
        fetch(source, s)
    message = str(err.value)
    assert f"the cached repository {path} fails `git fsck --strict" in message and "refusing to use it" in message
    assert "mismatch" in message and "notice:" not in message
    assert f"delete it to fetch commit {first} again" in message


def test_cached_git_repository_without_the_commit_is_refused(tmp_path, git_mirror):
    mirror, first, second = git_mirror
    s = settings(tmp_path, mirror)
    path = fetch(git_source(first), s)
    # A valid repository, filed under another commit's name.
    path.rename(cached_path(git_source(second), s))
    with pytest.raises(PipelineError, match=f"fails `git cat-file -e {second}"):
        fetch(git_source(second), s)


# A planted cache repository: genuine objects (fsck --strict passes), hostile config and attributes
# (issue 24, item 2). Each attack's command touches a marker; the unpacked tree must be the commit's.

GENUINE = {"main.c": "int main(void) { return 1; }\n", "version.h": "#define V \"$Format:%H$\"\n"}


def _mirrored_commit(tmp_path: Path, tree: dict[str, str]) -> tuple[Path, Source]:
    """A mirror directory holding demo.git with one commit of `tree`, and the git source pinning it."""
    work = tmp_path / "work"
    _git("init", "-q", "-b", "main", str(work))
    for name, text in tree.items():
        (work / name).write_text(text)
    _git("add", *tree, cwd=work)
    _git("commit", "-q", "-m", "one", cwd=work)
    _git("clone", "-q", "--bare", str(work), str(tmp_path / "mirror" / "demo.git"))
    return tmp_path / "mirror", git_source(_git("rev-parse", "HEAD", cwd=work))


@pytest.fixture
def planted(tmp_path):
    """A fetched git source (its cache entry), a script that leaves a marker and rewrites its input,
    and the marker; returns (settings, source, cached repository, script, marker)."""
    mirror, source = _mirrored_commit(tmp_path, GENUINE)
    s = settings(tmp_path, mirror)
    repo = fetch(source, s)
    marker = tmp_path / "RAN"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nsed s/1/666/\n")
    script.chmod(0o755)
    return s, source, repo, script, marker


def _plant(repo: Path, attributes: str, config: str) -> None:
    (repo / "info").mkdir(exist_ok=True)
    (repo / "info" / "attributes").write_text(attributes)
    with (repo / "config").open("a") as f:
        f.write(config)


def _assert_genuine_tree(s, source, marker: Path, tmp_path: Path) -> None:
    repo = fetch(source, s)  # the reuse check (it ran git fsck in the cached repository)
    dest = tmp_path / "src" / "demo"
    dest.parent.mkdir(exist_ok=True)
    unpack(source, repo, dest)
    assert {p.name: p.read_bytes().decode() for p in dest.iterdir()} == GENUINE
    assert fetch_module.kind_of(source).read(source, repo, "main.c") == GENUINE["main.c"].encode()
    assert not marker.exists(), "a command the cached repository named ran"


def test_a_smudge_filter_in_the_cached_repository_does_not_run(tmp_path, planted):
    """Before: `git archive` in the cached repository ran its filter and unpacked `return 666`."""
    s, source, repo, script, marker = planted
    _plant(repo, "* filter=evil\n", f'[filter "evil"]\n\tsmudge = {script}\n\trequired = true\n')
    _assert_genuine_tree(s, source, marker, tmp_path)


def test_a_filter_from_an_included_config_file_does_not_run(tmp_path, planted):
    """include.path brings the filter from a file beside the cache: before, it ran the same way."""
    s, source, repo, script, marker = planted
    (tmp_path / "included").write_text(f'[filter "evil"]\n\tsmudge = {script}\n')
    _plant(repo, "* filter=evil\n", f"[include]\n\tpath = {tmp_path / 'included'}\n")
    _assert_genuine_tree(s, source, marker, tmp_path)


@pytest.mark.parametrize("attributes", ["main.c export-ignore\n", "* export-subst\n", "* text eol=crlf\n"])
def test_attributes_in_the_cached_repository_do_not_change_the_tree(tmp_path, planted, attributes):
    """Before, export-ignore dropped main.c, export-subst wrote the commit into version.h, eol=crlf
    rewrote line ends: info/attributes applies to `git archive` even in a bare repository."""
    s, source, repo, _, marker = planted
    _plant(repo, attributes, "")
    _assert_genuine_tree(s, source, marker, tmp_path)


def test_fsmonitor_and_hooks_in_the_cached_repository_do_not_run(tmp_path, planted):
    """Before, `git fsck` (the reuse check itself) ran core.fsmonitor once the cached repository called
    itself non-bare. Hooks (its own and core.hooksPath's) are planted too; no step ran them even before."""
    s, source, repo, script, marker = planted
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-checkout", "post-index-change", "pre-auto-gc", "fsmonitor-watchman"):
        for directory in (hooks, repo / "hooks"):
            (directory / name).write_bytes(script.read_bytes())
            (directory / name).chmod(0o755)
    _plant(repo, "", f"[core]\n\tbare = false\n\tworktree = {tmp_path}\n\tfsmonitor = {script}\n"
                     f"\thooksPath = {hooks}\n[gc]\n\tauto = 1\n")
    _assert_genuine_tree(s, source, marker, tmp_path)


def test_a_commit_s_own_attributes_do_not_change_its_tree(tmp_path):
    """A source is the pinned commit's tree byte for byte: its own .gitattributes (export-ignore, export-subst,
    eol) are files like any other, not instructions (fails if `git archive` applies them)."""
    tree = {**GENUINE, ".gitattributes": "main.c export-ignore\nversion.h export-subst\n* text eol=crlf\n"}
    mirror, source = _mirrored_commit(tmp_path, tree)
    dest = tmp_path / "src" / "demo"
    dest.parent.mkdir()
    unpack(source, fetch(source, settings(tmp_path, mirror)), dest)
    assert {p.name: p.read_bytes().decode() for p in dest.iterdir()} == tree


def test_a_packed_cache_repository_is_indexed_again_and_read(tmp_path, planted):
    """Packs are copied without their .idx and indexed by `git index-pack` (which hashes each object):
    fails if only loose objects are taken, or a pack's own index is trusted."""
    s, source, repo, _, marker = planted
    every = _git("--git-dir", str(repo), "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    subprocess.run(["git", "--git-dir", str(repo), "pack-objects", "-q", str(repo / "objects" / "pack" / "pack")],
                   input=every + "\n", text=True, capture_output=True, check=True)
    _git("--git-dir", str(repo), "prune-packed")
    [pack] = (repo / "objects" / "pack").glob("*.pack")
    assert not [p for p in (repo / "objects").iterdir() if len(p.name) == 2]  # nothing loose is left
    pack.with_suffix(".idx").write_bytes(b"not an index")
    _assert_genuine_tree(s, source, marker, tmp_path)


def test_objects_behind_links_or_alternates_are_not_taken(tmp_path, planted):
    """Only plain files under objects/ are copied: a repository whose objects live elsewhere (a symlinked
    objects directory, an alternates file) is refused, never read through the link (fails if it is used)."""
    s, source, repo, _, _ = planted
    elsewhere = tmp_path / "elsewhere.git"
    (repo / "objects").rename(elsewhere)
    (repo / "objects").mkdir()
    (repo / "objects" / "info").mkdir()
    (repo / "objects" / "info" / "alternates").write_text(f"{elsewhere}\n")
    with pytest.raises(PipelineError, match=r"fails `git cat-file -e [0-9a-f]{40}\^\{commit\}`"):
        fetch(source, s)
    shutil.rmtree(repo / "objects")
    (repo / "objects").symlink_to(elsewhere)
    with pytest.raises(PipelineError, match="refusing to use it"):
        fetch(source, s)


def test_a_fifo_or_a_link_to_a_device_among_the_objects_is_skipped(tmp_path, planted):
    """Named like a pack or a loose object, a link to /dev/zero or a FIFO is never opened for reading
    (fails by hanging, or filling the disk, if the copy follows it)."""
    s, source, repo, _, marker = planted
    (repo / "objects" / "pack" / f"pack-{'0' * 40}.pack").symlink_to("/dev/zero")
    (repo / "objects" / "ff").mkdir(exist_ok=True)
    os.mkfifo(repo / "objects" / "ff" / ("0" * 38))
    _assert_genuine_tree(s, source, marker, tmp_path)


def test_zip_source_is_unpacked(tmp_path):
    import zipfile

    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("demo-1.0/src/main.c", "int main(void) { return 0; }\n")
    source = Source("demo", "url", "https://example.org/demo-1.0.zip", sha(archive.read_bytes()), None,
                    "demo-1.0.zip", "demo-1.0")
    dest = tmp_path / "unpacked" / "demo"
    dest.parent.mkdir()
    unpack(source, archive, dest)
    assert (dest / "src" / "main.c").read_text() == "int main(void) { return 0; }\n"
