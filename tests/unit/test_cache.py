"""The artifact cache: build keys, local and registry entries, corruption, concurrency, and CI.

These exercise wasmimage/pipeline/cache.py with small files, a real registry (Debian's
docker-registry) and real processes; the builds through doit are tests/pipeline/test_cache.py.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.project import copy_project
from helpers.registry import Registry, free_port, running_registry
from wasmimage import digests
from wasmimage.errors import PipelineError
from wasmimage.pipeline import cache
from wasmimage.pipeline.cache import Cache, Corrupt, check_entry, run_cached, store
from wasmimage.pipeline.keys import aot_key, compile_key, engine_aot_key, engine_verify_key, snapshot_key, verify_key
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.toolchain import DRIFT_ENV, PROVIDER_ENV, resolve
from wasmimage.registry.target import Target
from wasmimage.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("compile", "aot", "snapshot", "verify")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WASMIMAGE_ARTIFACT_CACHE", cache.REMOTE_ENV, PROVIDER_ENV, DRIFT_ENV, "SOURCE_DATE_EPOCH",
                 cache.KEY_ENV, cache.KEY_FILE_ENV):
        monkeypatch.delenv(name, raising=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(directory: Path, **contents: bytes) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (directory / name).write_bytes(data)
    return [directory / name for name in contents]


def entries(root: Path) -> list[Path]:
    return sorted(p for stage in STAGES for p in (root / stage).glob("*") if p.is_dir())


def leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if cache.PARTIAL in p.name)


# Build keys: everything that can change the bytes, and nothing else.

def _fake_stage_outputs(project: Project) -> None:
    out = project.stage_outputs(project.recipe("quickjs"))
    outputs(out.wasm.parent, **{out.wasm.name: b"\0asm wasm", out.cwasm.name: b"cwasm",
                                out.reactor.name: b"\0asm reactor", out.snapshot_cwasm.name: b"snapshot cwasm"})
    outputs(out.engines_dir, **{out.engine("wikifunctions").cwasm.name: b"wikifunctions cwasm"})


def _keys(root: Path) -> dict[str, str]:
    project = Project(root, Settings.from_environ())  # a new one each time, as each doit run reads them
    recipe = project.recipe("quickjs")
    wikifunctions = project.profiles["wikifunctions"]
    return {"compile": compile_key(project, recipe), "aot": aot_key(project, recipe),
            "snapshot": snapshot_key(project, recipe), "verify": verify_key(project, recipe),
            "aot.wikifunctions": engine_aot_key(project, recipe, wikifunctions),
            "verify.wikifunctions": engine_verify_key(project, recipe, wikifunctions)}


def test_keys_change_with_what_changes_the_bytes_and_nothing_else(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "p")
    _fake_stage_outputs(Project(root))
    before = _keys(root)

    def changed(edit) -> set[str]:
        nonlocal before
        edit()
        after = _keys(root)
        stages = {stage for stage in after if after[stage] != before[stage]}
        before = after
        return stages

    def append(path: str, text: str):
        target = root / path
        return lambda: target.write_text((target.read_text() if target.exists() else "") + text)

    # Nothing that can change an output: no key moves.
    assert changed(append("README.md", "\nmore words\n")) == set()
    assert changed(append("docs/publishing.md", "\nmore words\n")) == set()
    assert changed(append("conformance/python/01_fstrings.py", "\n# another suite's case\n")) == set()
    assert changed(lambda: monkeypatch.setenv("WASMIMAGE_WORK_DIR", str(tmp_path / "elsewhere"))) == set()
    assert changed(lambda: monkeypatch.setenv("WASMIMAGE_ARTIFACT_CACHE", str(tmp_path / "other-cache"))) == set()
    assert changed(lambda: monkeypatch.setenv("WASMIMAGE_MIRRORS", str(tmp_path / "mirror"))) == set()
    assert changed(lambda: monkeypatch.setenv("CFLAGS", "-O0")) == set()  # builds never see the caller's env
    # Each input moves exactly the keys of the stages it reaches; later stages follow the bytes.
    quickjs = root / "recipes/quickjs.yaml"
    assert changed(lambda: quickjs.write_text(quickjs.read_text().replace("-O2, -DNDEBUG", "-Os, -DNDEBUG"))) \
        == {"compile"}
    assert changed(append("recipes/quickjs/host.c", "\n/* edit */\n")) == {"compile"}
    assert changed(append("toolchains/wasi-sdk.yaml", "\n# edit\n")) == {"compile"}
    assert changed(lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")) == {"compile"}
    assert changed(append("conformance/javascript/00_smoke.out", "x")) == {"verify", "verify.wikifunctions"}
    assert changed(append("conformance/hostile/javascript/README", "a new file in a suite")) == {"verify"}
    # An executor is preloaded into the snapshot and proven by verify, never compiled into the interpreter
    assert changed(append("recipes/quickjs/executor.js", "\n// edit\n")) == {"snapshot", "verify"}
    assert changed(append("recipes/quickjs/wikifunctions.js", "\n// edit\n")) == {"snapshot", "verify"}
    wasm = root / "artifacts/build/quickjs/interpreter.wasm"
    assert changed(lambda: wasm.write_bytes(b"\0asm other")) == {"aot", "aot.wikifunctions"}
    cwasm = root / "artifacts/build/quickjs/interpreter.cwasm"
    assert changed(lambda: cwasm.write_bytes(b"other cwasm")) == {"verify"}
    reactor = root / "artifacts/build/quickjs/reactor.wasm"
    assert changed(lambda: reactor.write_bytes(b"\0asm other reactor")) == {"snapshot"}
    snapshot_cwasm = root / "artifacts/build/quickjs/snapshot.cwasm"
    assert changed(lambda: snapshot_cwasm.write_bytes(b"other snapshot cwasm")) == {"verify"}
    engine_cwasm = root / "artifacts/build/quickjs/engines/wikifunctions.cwasm"
    assert changed(lambda: engine_cwasm.write_bytes(b"other wikifunctions cwasm")) == {"verify.wikifunctions"}
    # An engine profile: its words change nothing, its settings its own keys only (the runner's stay).
    assert changed(append("engines/wikifunctions.yaml", "\n# a comment\n")) == set()
    assert changed(append("toolchains/wasmtime-cli-47.yaml", "\n# a comment\n")) == set()
    profile = root / "engines/wikifunctions.yaml"
    assert changed(lambda: profile.write_text(profile.read_text().replace("opt_level: speed ", "opt_level: none "))) \
        == {"aot.wikifunctions", "verify.wikifunctions"}


def test_forced_debian_provider_keys_on_its_pins_without_the_packages(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without the compiler computes the key of a machine with the pinned packages."""
    project = Project(ROOT, Settings(toolchain_provider="debian"))
    recipe = project.recipe("quickjs")
    with_packages = compile_key(project, recipe)  # here: installed at the pins (or absent too)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dpkg-query: as far as we can tell, nothing is installed
    with pytest.raises(PipelineError, match="clang-19 is not installed"):
        resolve(recipe.toolchain, forced="debian")
    assert compile_key(Project(ROOT, Settings(toolchain_provider="debian")), recipe) == with_packages


# Local entries.

def test_store_then_hit_restores_identical_files(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    local = Cache(tmp_path / "cache")
    made = outputs(tmp_path / "out", **{"a.wasm": b"wasm bytes", "a.json": b"{}"})
    assert run_cached(local, "compile", "demo", "k" * 64, made, lambda: None) == "miss"
    assert "[cache] compile:demo miss (key kkkkkkkkkkkk…, stored)" in capfd.readouterr().err
    for path in made:
        path.unlink()

    def must_not_run() -> None:
        raise AssertionError("a hit ran the stage")

    assert run_cached(local, "compile", "demo", "k" * 64, made, must_not_run) == "hit"
    assert "[cache] compile:demo hit (local, key kkkkkkkkkkkk…)" in capfd.readouterr().err
    assert [p.read_bytes() for p in made] == [b"wasm bytes", b"{}"]
    assert check_entry(local.entry("compile", "k" * 64), "compile", "k" * 64) == {
        "a.wasm": hashlib.sha256(b"wasm bytes").hexdigest(), "a.json": hashlib.sha256(b"{}").hexdigest()}


@pytest.mark.parametrize("damage", ["flip a byte", "delete a file", "truncate entry.json", "wrong key"])
def test_corrupt_local_entry_is_discarded_and_the_stage_runs(tmp_path: Path, damage: str,
                                                             capfd: pytest.CaptureFixture) -> None:
    local, key = Cache(tmp_path / "cache"), "c" * 64
    made = outputs(tmp_path / "out", **{"a.wasm": b"good bytes"})
    store(local.local, "aot", key, made)
    entry = local.entry("aot", key)
    if damage == "flip a byte":
        (entry / "a.wasm").write_bytes(b"evil bytes")
    elif damage == "delete a file":
        (entry / "a.wasm").unlink()
    elif damage == "truncate entry.json":
        (entry / "entry.json").write_bytes(b'{"files": {"a.wa')
    else:
        (entry / "entry.json").write_text((entry / "entry.json").read_text().replace(key, "d" * 64))
    with pytest.raises(Corrupt):
        check_entry(entry, "aot", key)

    ran = []
    made[0].write_bytes(b"stale")
    assert run_cached(local, "aot", "demo", key, made, lambda: (ran.append(1), made[0].write_bytes(b"rebuilt"))) \
        == "miss"
    err = capfd.readouterr().err
    assert ran == [1] and made[0].read_bytes() == b"rebuilt"
    assert f"[cache] aot:demo: local entry {key[:12]}… is corrupt" in err and "discarded" in err
    assert "miss (key cccccccccccc…, stored)" in err
    assert check_entry(entry, "aot", key) == {"a.wasm": hashlib.sha256(b"rebuilt").hexdigest()}
    assert leftovers(local.local) == []


_WRITER = """
import sys
from pathlib import Path
from wasmimage.pipeline.cache import store
root, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True)
(out / "x.bin").write_bytes(b"same bytes from every writer " * 1000)
won = sum(store(root, "compile", f"{i:064x}", [out / "x.bin"]) for i in range(int(sys.argv[3])))
print(won)
"""


def test_two_processes_storing_the_same_keys_leave_one_good_entry_each(tmp_path: Path) -> None:
    root, count = tmp_path / "cache", 200
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(root), str(tmp_path / f"w{n}"), str(count)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True) for n in range(2)]
    won = [int(w.communicate(timeout=120)[0]) for w in writers]
    assert [w.returncode for w in writers] == [0, 0]
    assert sum(won) == count  # every key stored exactly once: the first writer won, the other discarded
    stored = entries(root)
    assert len(stored) == count
    for entry in stored:
        check_entry(entry, "compile", entry.name)
    assert leftovers(root) == []


# Remote entries (an OCI registry).

@pytest.fixture
def fresh_registry(tmp_path: Path) -> Iterator[Registry]:
    with running_registry(tmp_path / "registry") as running:
        yield running


def test_remote_round_trip_and_corrupt_remote_blob_is_ignored(tmp_path: Path, fresh_registry: Registry,
                                                              capfd: pytest.CaptureFixture) -> None:
    remote = Target.parse(f"{fresh_registry.host}/ci")
    key = "e" * 64
    made = outputs(tmp_path / "out", **{"a.wasm": b"wasm " * 5000, "info.json": b'{"a": 1}'})
    first = Cache(tmp_path / "local-1", remote)
    assert run_cached(first, "compile", "demo", key, made, lambda: None) == "miss"
    assert "miss (key eeeeeeeeeeee…, stored, pushed)" in capfd.readouterr().err

    # A machine with an empty local cache gets the entry from the registry, and keeps it.
    second = Cache(tmp_path / "local-2", remote)
    restored = [tmp_path / "out-2" / p.name for p in made]
    assert cache.has(second, "compile", "demo", key) == "remote"
    assert run_cached(second, "compile", "demo", key, restored, lambda: pytest.fail("ran on a hit")) == "hit"
    assert "[cache] compile:demo hit (remote, key eeeeeeeeeeee…)" in capfd.readouterr().err
    assert [p.read_bytes() for p in restored] == [p.read_bytes() for p in made]
    assert cache.has(second, "compile", "demo", key) == "local"

    # Bytes damaged in the registry's storage: detected, never used; the stage runs.
    fresh_registry.blob_data("sha256:" + sha256(made[0])).write_bytes(b"evil " * 5000)
    third = Cache(tmp_path / "local-3", remote)
    restored = [tmp_path / "out-3" / p.name for p in made]
    ran = []
    assert run_cached(third, "compile", "demo", key, restored,
                      lambda: (ran.append(1), outputs(restored[0].parent, **{p.name: p.read_bytes() for p in made}))) \
        == "miss"
    err = capfd.readouterr().err
    assert ran == [1]
    assert "remote entry ci/cache-demo:compile-eeeeeeeeeeeeeeee… is corrupt" in err and "ignoring it" in err
    assert [p.read_bytes() for p in restored] == [p.read_bytes() for p in made]
    check_entry(third.entry("compile", key), "compile", key)
    assert leftovers(tmp_path) == []


def test_unreachable_registry_is_a_miss_not_a_failure(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    closed = Cache(tmp_path / "local", Target.parse(f"127.0.0.1:{free_port()}/ci"))
    made = outputs(tmp_path / "out", **{"a.wasm": b"bytes"})
    ran = []
    assert run_cached(closed, "aot", "demo", "f" * 64, made, lambda: ran.append(1)) == "miss"
    err = capfd.readouterr().err
    assert ran == [1] and "remote cache not usable" in err and "miss (key ffffffffffff…, stored)" in err
    check_entry(closed.entry("aot", "f" * 64), "aot", "f" * 64)


# Poisoning: an entry vouches for nothing by itself, only the cache key does.

EVIL = b"\x7fELF injected machine code"
OTHER_KEY = b"a key some other builder holds, not ours"


def plant(root: Path, stage: str, key: str, files_: dict[str, bytes], seal_with: bytes | None) -> Path:
    """Write an entry as an attacker with write access to the cache would: files and a matching
    entry.json, sealed with a key that is not ours, or (as before the HMAC) not sealed at all."""
    entry = root / stage / key
    entry.mkdir(parents=True)
    for name, data in files_.items():
        (entry / name).write_bytes(data)
    body = {"stage": stage, "key": key, "files": {n: hashlib.sha256(d).hexdigest() for n, d in files_.items()}}
    (entry / "entry.json").write_bytes(cache.seal(body, seal_with) if seal_with else digests.canonical_json(body))
    return entry


@pytest.mark.parametrize("seal_with", [None, OTHER_KEY], ids=["unsealed", "sealed-with-another-key"])
def test_planted_local_entry_is_not_a_hit(tmp_path: Path, seal_with: bytes | None,
                                          capfd: pytest.CaptureFixture) -> None:
    local, key = Cache(tmp_path / "cache", secret=b"our builders' cache key, 32 chars"), "a" * 64
    entry = plant(local.local, "aot", key, {"demo.cwasm": EVIL}, seal_with)
    made = outputs(tmp_path / "out", **{"demo.cwasm": b"stale"})
    ran = []
    assert run_cached(local, "aot", "demo", key, made,
                      lambda: (ran.append(1), made[0].write_bytes(b"compiled here"))) == "miss"
    err = capfd.readouterr().err
    assert ran == [1] and made[0].read_bytes() == b"compiled here"
    assert f"[cache] aot:demo: local entry {key[:12]}… is not authenticated" in err and "discarded" in err
    assert ("carries no HMAC" in err) if seal_with is None else (f"sealed with key '{cache.key_id(OTHER_KEY)}'" in err)
    # The rebuilt entry took the planted one's place, and is a hit from now on.
    assert "miss (key aaaaaaaaaaaa…, stored)" in err
    assert (entry / "demo.cwasm").read_bytes() == b"compiled here"
    assert run_cached(local, "aot", "demo", key, made, lambda: pytest.fail("ran on a hit")) == "hit"


def test_remote_poison_is_ignored_and_replaced(tmp_path: Path, fresh_registry: Registry,
                                               capfd: pytest.CaptureFixture) -> None:
    """Remote tags are first-writer-wins: an early poisoned entry must not stay a hit forever."""
    remote, key, ours = Target.parse(f"{fresh_registry.host}/ci"), "b" * 64, b"our builders' cache key, 32 chars"
    attacker = Cache(tmp_path / "attacker", remote, secret=OTHER_KEY)
    evil = outputs(tmp_path / "evil", **{"demo.cwasm": EVIL})
    assert run_cached(attacker, "aot", "demo", key, evil, lambda: None) == "miss"
    assert "stored, pushed" in capfd.readouterr().err

    builder = Cache(tmp_path / "builder", remote, secret=ours)
    made = [tmp_path / "out" / "demo.cwasm"]
    assert run_cached(builder, "aot", "demo", key, made,
                      lambda: outputs(made[0].parent, **{"demo.cwasm": b"compiled by a trusted builder"})) == "miss"
    err = capfd.readouterr().err
    assert f"remote entry ci/cache-demo:aot-{key[:20]}… is not authenticated" in err and "ignoring it" in err
    assert "stored, pushed (replacing an entry that is not authenticated)" in err

    consumer = Cache(tmp_path / "consumer", remote, secret=ours)
    restored = [tmp_path / "restored" / "demo.cwasm"]
    assert run_cached(consumer, "aot", "demo", key, restored, lambda: pytest.fail("ran on a hit")) == "hit"
    assert restored[0].read_bytes() == b"compiled by a trusted builder"
    # And the trusted entry is not replaced by the next push of anyone.
    assert cache.push(remote, "demo", "aot", key, builder.entry("aot", key), ours) == "already in the remote cache"


def test_cache_key_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    made = cache.cache_key()  # first use: a random key, private to this user
    key_file = tmp_path / "config" / "wasmimage" / "cache.key"
    assert key_file.read_bytes().strip() == made and len(made) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert cache.cache_key() == made
    ci_file = Settings.from_environ({cache.KEY_FILE_ENV: str(tmp_path / "ci.key")})
    with pytest.raises(PipelineError, match=f"{cache.KEY_FILE_ENV}={tmp_path / 'ci.key'}: no such file"):
        cache.cache_key(ci_file)
    (tmp_path / "ci.key").write_text("short\n")
    with pytest.raises(PipelineError, match="at least 16 characters"):
        cache.cache_key(ci_file)
    ci_secret = Settings.from_environ({cache.KEY_ENV: "the CI secret, set by the CI system"})
    assert cache.cache_key(ci_secret) == b"the CI secret, set by the CI system"


# Whole builds.
