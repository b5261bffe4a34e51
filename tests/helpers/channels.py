"""Stand-ins, with known versions, for the channels `python -m wasmimage outdated` asks, and a project
that pins from each.

A Debian archive (two archive roots, as deb.debian.org has debian/ and debian-security/), a
sparse crate index and a PyPI simple index are routes on a FlakyServer (127.0.0.1); a git
mirror is a bare repository in a directory. `environment` points the command at them only:
cargo's configuration in a private CARGO_HOME, pip's index with no other pip configuration,
the Debian archives and the mirror through the project's settings.
"""

from __future__ import annotations

import gzip
import json
import lzma
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from helpers.flaky_server import FlakyServer, Serve
from wasmimage.pipeline.outdated.debian import DEBIAN_ARCHES
from wasmimage.pipeline.toolchain import host_arch

ARCH = DEBIAN_ARCHES.get(host_arch(), host_arch())
SHA = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"  # any well-formed pin
CRATE_SHA = "0bcc4a315d320e3c71c42596ccda8040d686b6f042ea3a173e6e43f4c876e630"

# (archive root, suite, index) -> [(package, version)], with other packages around the wanted ones
SOURCES, PACKAGES = "main/source/Sources", f"main/binary-{ARCH}/Packages"
DEBIAN = {
    ("debian", "trixie", SOURCES): [("python3.12", "3.12.9-1"), ("python3.13", "3.13.5-2+deb13u5"),
                                    ("zlib", "1:1.3.1-1")],
    ("debian", "testing", SOURCES): [("python3.13", "3.13.15-1"), ("zlib", "1:1.3.dfsg+really1.3.1-1")],
    ("debian", "unstable", SOURCES): [("python3.13", "3.13.15-1"), ("python3.13", "3.13.18-1"),
                                      ("zlib", "1:1.3.dfsg+really1.3.2-4"), ("python3.14", "3.14.10-1")],
    ("debian", "bookworm", SOURCES): [("zlib", "1:1.2.13.dfsg-1")],
    ("debian-security", "bookworm-security", SOURCES): [("zlib", "1:1.2.13.dfsg-1+deb12u1")],
    ("debian-security", "trixie-security", SOURCES): [("zlib", "1:1.3.dfsg+really1.3.1-1+deb13u1")],
    ("debian", "bookworm", PACKAGES): [("clang-19", "1:19.1.7-3~deb12u1"), ("wasi-libc", "0.0~git20220510.9886d3d-2"),
                                       ("make", "4.3-4.1"), ("rustc-web", "1.96.0+dfsg1-1~deb12u1")],
    ("debian", "bookworm-updates", PACKAGES): [("tzdata", "2025b-0+deb12u1")],
    ("debian-security", "bookworm-security", PACKAGES): [("rustc-web", "1.96.0+dfsg1-1~deb12u3")],
}
GZIP_ONLY = {("debian-security", "bookworm-security", SOURCES)}  # served as .gz, not .xz

# the crate index: rustpython's versions (0.7.0 is yanked, 0.8.0-alpha.1 a pre-release)
CRATE_VERSIONS = [("0.5.0", False), ("0.6.0", False), ("0.6.1", False), ("0.6.2", False), ("0.7.0", True),
                  ("0.8.0-alpha.1", False)]
# PyPI: quickjs-ng's files (0.19.0rc1 a pre-release, 0.20.0 a wheel only)
PYPI_FILES = ["quickjs_ng-0.16.0.1.tar.gz", "quickjs_ng-0.17.0.2.tar.gz", "quickjs_ng-0.17.0.3.tar.gz",
              "quickjs_ng-0.18.0.1.tar.gz", "quickjs_ng-0.19.0rc1.tar.gz", "quickjs_ng-0.20.0-py3-none-any.whl"]
GIT_TAGS = ["v1.0.0", "v1.0.1", "v1.1.0", "v2.0.0-rc1"]  # one commit each, in order; the pin is v1.0.0's


def _index(entries: list[tuple[str, str]], binary: bool) -> bytes:
    field = f"Architecture: {ARCH}\n" if binary else "Format: 3.0 (quilt)\n"
    return "".join(f"Package: {package}\nVersion: {version}\n{field}Maintainer: Nobody <nobody@example.org>\n\n"
                   for package, version in entries).encode()


def serve_debian(server: FlakyServer, routes: dict = DEBIAN) -> str:
    """The archives, as WASMIMAGE_DEBIAN_ARCHIVES lists them; a suite not in `routes` is a 404."""
    for (root, suite, index), entries in routes.items():
        data = _index(entries, index == PACKAGES)
        gzip_only = (root, suite, index) in GZIP_ONLY
        suffix, body = (".gz", gzip.compress(data)) if gzip_only else (".xz", lzma.compress(data))
        server.route(f"/{root}/dists/{suite}/{index}{suffix}", Serve(body))
    return f"{server.url('/debian')} {server.url('/debian-security/')}"


def serve_crates(server: FlakyServer) -> str:
    """A sparse index with rustpython's versions; its URL as cargo's configuration writes it."""
    server.route("/index/config.json", Serve(json.dumps({"dl": server.url("/dl"), "api": None}).encode()))
    lines = [json.dumps({"name": "rustpython", "vers": version, "deps": [], "features": {}, "yanked": yanked,
                         "cksum": CRATE_SHA if version == "0.6.0" else SHA}) for version, yanked in CRATE_VERSIONS]
    server.route("/index/ru/st/rustpython", Serve("\n".join(lines).encode() + b"\n"))
    return f"sparse+{server.url('/index/')}"


def serve_pypi(server: FlakyServer) -> str:
    """A PEP 503 simple index with quickjs-ng's files; its URL."""
    links = "".join(f'<a href="/files/{name}">{name}</a><br>\n' for name in PYPI_FILES)
    server.route("/simple/quickjs-ng/", Serve(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode(),
                                               content_type="text/html"))
    return server.url("/simple/")


def git_mirror(mirror: Path) -> str:
    """mirror/demo-tool.git with one commit per tag (v1.0.0 annotated), plus the tag `mirror` writes;
    the pinned commit."""
    work = mirror.parent / "demo-tool-work"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(work)]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    commits = []
    for tag in GIT_TAGS:
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", tag], check=True)
        subprocess.run([*git, "tag", *(["-a", "-m", tag] if tag == "v1.0.0" else []), tag], check=True)
        commits.append(subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                                      text=True).stdout.strip())
    subprocess.run([*git, "tag", f"wasmimage/{commits[-1]}"], check=True)
    subprocess.run(["git", "init", "-q", "--bare", str(mirror / "demo-tool.git")], check=True)
    subprocess.run([*git, "push", "-q", str(mirror / "demo-tool.git"), "--tags"], check=True)
    return commits[0]


def demo_project(root: Path, sources: list[dict], providers: list[dict]) -> Path:
    """A project with one recipe pinning `sources` and one toolchain of `providers`."""
    for directory in ("recipes", "toolchains", "conformance/javascript"):
        (root / directory).mkdir(parents=True, exist_ok=True)
    recipe = {"name": "demo", "version": "1.0", "revision": 1, "language": "javascript", "sources": sources,
              "toolchain": "demo-tools", "build": {"commands": ["{{ cc }} -o {{ out }} main.c"]},
              "output": "demo.wasm", "conformance": ["javascript"],
              "run": {"argv": ["demo", "{script}"], "script_name": "main.js", "canary": 'print("canary")'}}
    toolchain = {"name": "demo-tools", "vars": ["cc"], "providers": providers}
    (root / "recipes" / "demo.yaml").write_text(yaml.safe_dump(recipe, sort_keys=False))
    (root / "toolchains" / "demo-tools.yaml").write_text(yaml.safe_dump(toolchain, sort_keys=False))
    return root


def every_kind(commit: str) -> list[dict]:
    """A source of every kind, pinned behind what the stand-ins offer (or not at all, for the plain URL)."""
    return [
        {"name": "python", "url": "https://example.org/Python-3.13.5.tar.xz", "sha256": SHA,
         "debian-source": {"package": "python3.13", "suite": "trixie", "file": "python3.13_3.13.5.orig.tar.xz"}},
        {"name": "zlib", "sha256": SHA,
         "debian-source": {"package": "zlib", "suite": "bookworm", "file": "zlib_1.2.13.dfsg.orig.tar.bz2"}},
        {"name": "quickjs", "pypi-sdist": "quickjs-ng==0.17.0.2", "sha256": SHA},
        {"name": "rustpython", "crate": "rustpython==0.6.0", "sha256": CRATE_SHA},
        {"name": "crates", "cargo-vendor": "rustpython"},
        {"name": "absent", "crate": "ab==1.0.0", "sha256": SHA},
        {"name": "tool", "git": "file:///nonexistent/demo-tool.git", "commit": commit},
        {"name": "plain", "url": "https://example.org/plain-1.0.tar.gz", "sha256": SHA},
    ]


TOOLCHAIN_PROVIDERS = [
    {"name": "debian", "kind": "debian", "vars": {"cc": "/usr/bin/clang-19"},
     "packages": {"clang-19": "1:19.1.7-3~deb12u1", "wasi-libc": "0.0~git20220510.9886d3d-1",
                  "rustc-web": "1.96.0+dfsg1-1~deb12u2", "make": "4.3-4"}},
    {"name": "sdk", "kind": "archive", "version": "25.0", "vars": {"cc": "{{ root }}/bin/clang"},
     "archives": {"x86_64": {"url": "https://example.org/sdk-25.0.tar.gz", "sha256": SHA, "subdir": "sdk-25.0"}}},
]


def environment(home: Path, *, crate_index: str | None = None, pypi: str | None = None,
                **settings: str) -> dict[str, str]:
    """The command's environment: this process's, less every setting that could reach a real channel."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WASMIMAGE_", "PIP_", "CARGO_", "RUSTUP_")) and k != "SOURCE_DATE_EPOCH"}
    cargo_home = home / "cargo-home"
    cargo_home.mkdir(exist_ok=True)
    if crate_index:
        (cargo_home / "config.toml").write_text(f'[source.crates-io]\nreplace-with = "stand-in"\n'
                                                f'[source.stand-in]\nregistry = "{crate_index}"\n')
    env.update({"CARGO_HOME": str(cargo_home), "HOME": str(home), "PIP_CONFIG_FILE": os.devnull,
                "PIP_NO_CACHE_DIR": "1", "PIP_INDEX_URL": pypi or "http://127.0.0.1:9/simple/",
                "WASMIMAGE_CACHE_DIR": str(home / "cache"), **settings})
    return env


def outdated(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmimage", "outdated", "--project", str(project), *args],
                          env=env, capture_output=True, text=True, check=False, cwd=project)


def rows(output: str) -> dict[str, list[str]]:
    """The table's rows by pin (`FILE: NAME`), each split into its columns."""
    return {cells[0]: cells for cells in (re.split(r"\s{2,}", line) for line in output.splitlines()
                                          if line.startswith(("recipes/", "toolchains/")))}
