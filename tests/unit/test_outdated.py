"""`python -m wasmimage outdated` against stand-ins with known versions, never the real registries.

The stand-ins (tests/helpers/channels.py) are a Debian archive, a sparse crate index and a
PyPI simple index on 127.0.0.1, a bare git repository as a mirror, and, where rustup is
installed, a rustup home and dist server of our own. Each test fails if a pin is missing
from the table, if a channel's newest version or the distance to it is misread (yanked,
pre-release or wheel-only releases counted, the wrong suites consulted), or if the exit
status does not follow the security suites and the channels that could not be asked.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.channels import (
    CRATE_SHA,
    TOOLCHAIN_PROVIDERS,
    demo_project,
    environment,
    every_kind,
    git_mirror,
    outdated,
    rows,
    serve_crates,
    serve_debian,
    serve_pypi,
)
from helpers.flaky_server import Fail, FlakyServer, Serve
from wasmimage.errors import Unavailable
from wasmimage.pipeline.outdated import crates, report
from wasmimage.pipeline.outdated import debian as debian_channel
from wasmimage.pipeline.outdated.versions import behind, compare_debian, debian, pep440, semver
from wasmimage.pipeline.project import Project
from wasmimage.pipeline.toolchain import host_arch
from wasmimage.sources.base import Source
from wasmimage.sources.table import KINDS, source_of

ROOT = Path(__file__).resolve().parents[2]
RECIPE, TOOLCHAIN = "recipes/demo.yaml: ", "toolchains/demo-tools.yaml: "


# --- version rules -------------------------------------------------------------------------------

DEBIAN_ORDER = [  # each sorts before the next (deb-version(7)); a wrong rule swaps a pair
    "1.0~rc1", "1.0", "1.0-1~bpo12+1", "1.0-1", "1.0-1+deb12u1", "1.0-1.1", "1.0a", "1.0+dfsg", "1.2", "1.10",
    "0:2.0", "1:0.5",
]


@pytest.mark.parametrize("lower,higher", list(itertools.pairwise(DEBIAN_ORDER)))
def test_debian_versions_sort_by_dpkgs_rules(lower: str, higher: str) -> None:
    assert compare_debian(lower, higher) < 0 < compare_debian(higher, lower)
    assert debian(lower).key < debian(higher).key
    if shutil.which("dpkg"):  # the reference, where there is one
        subprocess.run(["dpkg", "--compare-versions", lower, "lt", higher], check=True)


def test_equal_debian_versions_compare_equal() -> None:
    assert compare_debian("1:1.02-1", "1:1.2-1") == 0
    assert compare_debian("2.0", "0:2.0") == 0


def test_semver_orders_pre_releases_before_their_release() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
             "1.0.0", "1.0.1", "1.10.0"]
    keys = [semver(text).key for text in order]
    assert keys == sorted(keys) and len(set(map(repr, keys))) == len(keys)
    assert semver("1.0.0+build.7").key == semver("1.0.0").key
    assert semver("1.0") is None and semver("01.x.0") is None


@pytest.mark.parametrize("pinned,offered,expected", [
    ("1.2.3", ["1.2.3"], "up to date"),
    ("1.2.3", ["1.2.2", "1.2.3"], "up to date"),
    ("1.2.3", ["1.2.4", "1.2.5", "1.2.6"], "3 patch releases"),
    ("1.2.3", ["1.2.4", "1.3.0", "1.3.1", "1.4.0"], "2 minor releases"),
    ("1.2.3", ["1.3.0", "2.0.0", "2.1.0"], "1 major release"),
    ("0.17.0.2", ["0.17.0.3"], "1 patch release"),
    ("3.0", ["3.0.post1", "3.0.post2"], "2 revisions"),
])
def test_how_far_behind_counts_the_releases_at_the_level_that_changed(pinned, offered, expected) -> None:
    assert behind(pep440(pinned), [pep440(v) for v in offered]) == expected


def test_a_channel_that_knows_only_its_newest_release_gives_the_level_alone() -> None:
    assert behind(semver("1.95.0"), [semver("1.99.1")], complete=False) == "a newer minor release"


def test_debian_revisions_of_one_version_are_revisions() -> None:
    assert behind(debian("1:19.1.7-3~deb12u1"), [debian("1:19.1.7-3~deb12u2"), debian("1:19.1.7-3")]) == "2 revisions"


# --- the whole command against the stand-ins -----------------------------------------------------

def test_every_pin_is_listed_with_the_newest_version_its_channel_offers(tmp_path: Path,
                                                                       flaky_server: FlakyServer) -> None:
    commit = git_mirror(tmp_path / "mirror")
    project = demo_project(tmp_path / "project", every_kind(commit), TOOLCHAIN_PROVIDERS)
    env = environment(tmp_path, crate_index=serve_crates(flaky_server), pypi=serve_pypi(flaky_server),
                      WASMIMAGE_DEBIAN_ARCHIVES=serve_debian(flaky_server), WASMIMAGE_MIRRORS=str(tmp_path / "mirror"))
    result = outdated(project, env, "--debian-release", "bookworm")
    shown = result.stdout + result.stderr
    assert {pin: cells[1:] for pin, cells in rows(result.stdout).items()} == {
        RECIPE + "python": ["url + debian-source", "python3.13 3.13.5 (trixie)", "3.13.18-1 (unstable)",
                            "2 patch releases"],
        RECIPE + "zlib": ["debian-source", "zlib 1.2.13.dfsg (bookworm)", "1:1.3.dfsg+really1.3.2-4 (unstable)",
                          "1 minor release"],
        RECIPE + "quickjs": ["pypi-sdist", "quickjs-ng==0.17.0.2", "0.18.0.1", "1 minor release"],
        RECIPE + "rustpython": ["crate", "rustpython==0.6.0", "0.6.2", "2 patch releases"],
        RECIPE + "crates": ["cargo-vendor", "the crates rustpython's Cargo.lock pins", "-", "no channel"],
        RECIPE + "absent": ["crate", "ab==1.0.0", "?", "not found"],
        RECIPE + "tool": ["git", commit[:12], "v1.1.0", "1 minor release"],
        RECIPE + "plain": ["url", "plain-1.0.tar.gz", "-", "no channel"],
        TOOLCHAIN + "debian: clang-19": ["debian package", "1:19.1.7-3~deb12u1", "1:19.1.7-3~deb12u1 (bookworm)",
                                         "up to date"],
        TOOLCHAIN + "debian: wasi-libc": ["debian package", "0.0~git20220510.9886d3d-1",
                                          "0.0~git20220510.9886d3d-2 (bookworm)", "1 revision"],
        TOOLCHAIN + "debian: rustc-web": ["debian package", "1.96.0+dfsg1-1~deb12u2",
                                          "1.96.0+dfsg1-1~deb12u3 (bookworm-security)", "1 revision"],
        TOOLCHAIN + "debian: make": ["debian package", "4.3-4", "4.3-4.1 (bookworm)", "1 revision"],
        TOOLCHAIN + "sdk": ["archive", "25.0", "-", "no channel"],
    }, shown
    # the security suites of the pins' own releases, and nothing from trixie-security for a bookworm pin
    assert ("security: bookworm-security has 1:1.2.13.dfsg-1+deb12u1, a revision of the pinned upstream version: "
            "its fix is a Debian patch, not in zlib_1.2.13.dfsg.orig.tar.bz2") in shown
    assert "security: bookworm-security has 1.96.0+dfsg1-1~deb12u3" in shown
    assert shown.count("security: ") == 2
    assert "note: newest in trixie's suites: 3.13.5-2+deb13u5" in shown
    assert "note: 4.3-4 is in none of bookworm's suites any more: apt-get can no longer install it" in shown
    assert "not found: ab is not in the registry index" in shown
    assert "could not ask" not in shown
    assert result.returncode == 1, shown


def test_a_channel_that_cannot_be_asked_is_named_and_the_rest_still_listed(tmp_path: Path,
                                                                          flaky_server: FlakyServer) -> None:
    commit = git_mirror(tmp_path / "mirror")
    project = demo_project(tmp_path / "project", every_kind(commit), TOOLCHAIN_PROVIDERS)
    index = serve_crates(flaky_server)
    flaky_server.route("/index/config.json", Fail(503, times=10))
    closed = FlakyServer().start()
    archives = closed.url("/debian")
    closed.stop()  # nothing listens there any more
    env = environment(tmp_path, crate_index=index, pypi=serve_pypi(flaky_server), WASMIMAGE_DEBIAN_ARCHIVES=archives,
                      WASMIMAGE_MIRRORS=str(tmp_path / "mirror"))
    result = outdated(project, env, "--debian-release", "bookworm")
    shown = result.stdout + result.stderr
    table = rows(result.stdout)
    assert table[RECIPE + "quickjs"][3:] == ["0.18.0.1", "1 minor release"], shown
    assert table[RECIPE + "tool"][3:] == ["v1.1.0", "1 minor release"], shown
    for pin in ("python", "zlib", "rustpython", "absent"):
        assert table[RECIPE + pin][3:] == ["?", "could not ask"], shown
    assert table[TOOLCHAIN + "debian: clang-19"][3:] == ["?", "could not ask"], shown
    closing = [line for line in result.stdout.splitlines() if line.startswith("could not ask")]
    assert len(closing) == 2, shown
    assert closing[0].startswith(f"could not ask Debian's archive: {archives}/dists/"), shown
    assert closing[1].startswith(f"could not ask the crate registry: {index.removeprefix('sparse+')}config.json"), shown
    assert "HTTP 503" in closing[1], shown
    assert result.returncode == Unavailable.exit_code, shown


def test_without_a_configured_crate_index_the_registry_is_not_asked(tmp_path: Path,
                                                                    flaky_server: FlakyServer) -> None:
    project = demo_project(tmp_path / "project", [{"name": "rustpython", "crate": "rustpython==0.6.0",
                                                   "sha256": CRATE_SHA}], TOOLCHAIN_PROVIDERS[1:])
    serve_crates(flaky_server)
    result = outdated(project, environment(tmp_path))
    assert rows(result.stdout)[RECIPE + "rustpython"][3:] == ["?", "could not ask"]
    assert ("could not ask the crate registry: not asked: cargo's configuration puts no registry in crates-io's "
            "place") in result.stdout
    assert flaky_server.requests == []  # no index was guessed
    assert result.returncode == Unavailable.exit_code, result.stdout + result.stderr


def test_a_yanked_pin_and_a_checksum_the_index_disagrees_with_are_noted(tmp_path: Path,
                                                                        flaky_server: FlakyServer) -> None:
    project = demo_project(tmp_path / "project", [
        {"name": "old", "crate": "rustpython==0.7.0", "sha256": CRATE_SHA},  # yanked in the index
        {"name": "new", "crate": "rustpython==0.6.0", "sha256": hashlib.sha256(b"other").hexdigest()},
    ], TOOLCHAIN_PROVIDERS[1:])
    result = outdated(project, environment(tmp_path, crate_index=serve_crates(flaky_server)))
    assert "note: 0.7.0 is yanked" in result.stdout
    assert (f"note: the index's checksum of 0.6.0 is {CRATE_SHA}, the recipe pins "
            f"{hashlib.sha256(b'other').hexdigest()}") in result.stdout
    assert rows(result.stdout)[RECIPE + "old"][3:] == ["0.6.2", "up to date"], result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


# --- where the crate index comes from ------------------------------------------------------------

def _cargo_config(directory: Path, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text)


REPLACED = '[source.crates-io]\nreplace-with = "near"\n[source.near]\nregistry = "sparse+http://127.0.0.1:1/{}/"\n'


def test_the_crate_index_is_the_setting_else_cargos_replacement_for_crates_io(tmp_path: Path, monkeypatch) -> None:
    home, project = tmp_path / "cargo-home", tmp_path / "work" / "project"
    project.mkdir(parents=True)
    monkeypatch.setenv("CARGO_HOME", str(home))
    with pytest.raises(Unavailable, match="puts no registry in crates-io's place"):
        crates.configured_index(None, project)
    _cargo_config(home, REPLACED.format("home"))
    assert crates.configured_index(None, project) == "http://127.0.0.1:1/home/"
    _cargo_config(tmp_path / "work" / ".cargo", REPLACED.format("work"))  # nearer the project: wins, as in cargo
    assert crates.configured_index(None, project) == "http://127.0.0.1:1/work/"
    assert crates.configured_index("sparse+http://127.0.0.1:1/set/", project) == "http://127.0.0.1:1/set/"
    _cargo_config(project / ".cargo", '[source.crates-io]\nreplace-with = "vendored"\n'
                                      '[source.vendored]\ndirectory = "vendor"\n')
    with pytest.raises(Unavailable, match="replaces crates-io with vendored .not a registry., which is not a sparse"):
        crates.configured_index(None, project)


def test_crate_index_paths_follow_cargos_layout() -> None:
    assert [crates.index_path(n) for n in ("a", "ab", "abc", "Serde")] == ["1/a", "2/ab", "3/a/abc", "se/rd/serde"]


# --- rustup ------------------------------------------------------------------------------------------

RUSTUP_MANIFEST = ('manifest-version = "2"\ndate = "{date}"\n[pkg.rust]\nversion = "{version}"\n'
                   '[pkg.rust.target.{triple}]\navailable = false\n[renames]\n[profiles]\n')


@pytest.mark.skipif(shutil.which("rustup") is None, reason="rustup is not installed (its channel is asked through it)")
def test_rustup_pins_are_compared_with_the_stable_channel(tmp_path: Path, flaky_server: FlakyServer) -> None:
    triple = f"{host_arch()}-unknown-linux-gnu"
    rustup_home = tmp_path / "rustup-home"
    installed = rustup_home / "toolchains" / f"stable-{triple}" / "lib" / "rustlib"
    installed.mkdir(parents=True)
    (rustup_home / "settings.toml").write_text(f'version = "12"\ndefault_toolchain = "stable-{triple}"\n'
                                               'profile = "minimal"\nauto_self_update = "disable"\n')
    (installed / "multirust-channel-manifest.toml").write_text(
        RUSTUP_MANIFEST.format(date="2026-01-01", version="1.93.0 (aaaaaaaaa 2026-01-01)", triple=triple))
    channel = RUSTUP_MANIFEST.format(date="2026-10-13", version="1.99.1 (bbbbbbbbb 2026-10-13)", triple=triple).encode()
    flaky_server.route("/dist/channel-rust-stable.toml", Serve(channel))
    flaky_server.route("/dist/channel-rust-stable.toml.sha256",
                       Serve(f"{hashlib.sha256(channel).hexdigest()}  channel-rust-stable.toml\n".encode()))
    project = demo_project(tmp_path / "project", [], [
        {"name": "rustup", "kind": "rustup", "version": "1.95.0", "targets": ["wasm32-wasip1"], "vars": {"cc": "cc"}}])
    env = environment(tmp_path, RUSTUP_HOME=str(rustup_home), RUSTUP_DIST_SERVER=flaky_server.base_url,
                      RUSTUP_UPDATE_ROOT=flaky_server.url("/rustup"))
    result = outdated(project, env)
    assert rows(result.stdout)[TOOLCHAIN + "rustup"][1:] == ["rustup", "1.95.0", "1.99.1", "a newer minor release"], \
        result.stdout + result.stderr
    assert flaky_server.count("/dist/channel-rust-stable.toml") >= 1  # the stand-in, not the real channel
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_recipe_kind_names_a_channel_outdated_knows_or_why_it_has_none() -> None:
    """Each kind says where its releases are listed (Kind.releases); report.py maps the channel's name to its
    client. A kind naming a channel report.py lacks would stop the whole listing; one without a sample in
    every_kind is not checked here, so it fails this test until it has one."""
    sources: list[Source] = []
    for entry in every_kind("0" * 40):
        sources.append(source_of(entry, sources, entry["name"]))
    assert {source.kind for source in sources} == {key for key, kind in KINDS.items() if kind.parse}
    for source in sources:
        pin = report.source_pin("demo.yaml", source)
        assert (pin.channel in report.CHANNELS) if pin.channel else pin.no_channel, pin
    pins = {source.name: report.source_pin("demo.yaml", source) for source in sources}
    assert pins["python"].kind == "url + debian-source" and pins["python"].query == debian_channel.SourceQuery(
        "python3.13", "trixie", "python3.13_3.13.5.orig.tar.xz")
    assert pins["rustpython"].query == crates.CrateQuery("rustpython", "0.6.0", CRATE_SHA)


# --- the checkout's own pins -------------------------------------------------------------------------

def test_every_pin_of_the_checkouts_recipes_and_toolchains_has_a_row() -> None:
    """Read from the YAML files directly, so a pin the listing skips (a new provider kind, a new source kind) shows."""
    expected = set()
    for path in sorted((ROOT / "recipes").glob("*.yaml")):
        expected |= {(f"recipes/{path.name}", s["name"]) for s in yaml.safe_load(path.read_text())["sources"]}
    for path in sorted((ROOT / "toolchains").glob("*.yaml")):
        for provider in yaml.safe_load(path.read_text())["providers"]:
            names = [f"{provider['name']}: {p}" for p in provider.get("packages", {})] or [provider["name"]]
            expected |= {(f"toolchains/{path.name}", name) for name in names}
    listed = [(pin.file, pin.name) for pin in report.pins(Project(ROOT))]
    assert sorted(listed) == sorted(expected)
