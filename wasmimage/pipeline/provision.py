"""Which Debian packages this machine still needs, for scripts/setup.

The pinned ones come from the toolchain files themselves (every `debian` provider's
`packages`, at their exact versions), so the pins live in one place; a few tools the tests
and benchmarks use come unpinned (EXTRA). `python -m wasmimage.pipeline.provision` prints one line per
package to install, `NAME[=VERSION]<TAB>why`, and nothing when everything is there, so that
the setup script asks apt-get for nothing on a second run. Installed versions come from
dpkg (toolchain.installed_debian_versions), never from apt's idea of the archive.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from wasmimage.errors import InvalidInput, PipelineError
from wasmimage.pipeline.toolchain import installed_debian_versions, load_toolchain

# Not pinned: no build's bytes depend on them.
EXTRA = {
    "git": "git sources are fetched as bare repositories (and the tests make some)",
    "patch": "recipes/rustpython.yaml patches a vendored crate (rustpython/deterministic-order.patch)",
    "docker-registry": "a real OCI registry on 127.0.0.1 for the publish and cache tests",
    "skopeo": "the publish tests check our OCI images with another client",
    "binaryen": "wasm-opt, one of the levers the benchmarks try",
    "openssh-client": "ssh-keygen: signing keys for the image-signature tests, and checking signatures by hand",
    "bubblewrap": "bwrap: build commands run sandboxed, away from the cache key and signing keys "
                  "(wasmimage/pipeline/sandbox.py)",
}


@dataclass(frozen=True)
class Wanted:
    package: str
    version: str | None  # None: any version
    why: str

    @property
    def apt_argument(self) -> str:
        return f"{self.package}={self.version}" if self.version else self.package


def wanted(toolchains_dir: Path) -> list[Wanted]:
    """Every pinned package of every Debian provider, then the extras; one pin per package."""
    pins: dict[str, Wanted] = {}
    for path in sorted(toolchains_dir.glob("*.yaml")):
        toolchain = load_toolchain(toolchains_dir, path.stem)
        for provider in toolchain.providers:
            if provider.kind != "debian":
                continue
            for package, version in provider.packages.items():
                why = f"pinned by {path.relative_to(toolchains_dir.parent)} ({toolchain.name})"
                if package in pins and pins[package].version != version:
                    raise InvalidInput(f"{path}: {package} is pinned to {version} here and to "
                                       f"{pins[package].version} by {pins[package].why}; one version must win")
                pins.setdefault(package, Wanted(package, version, why))
    extras = [Wanted(package, None, why) for package, why in EXTRA.items() if package not in pins]
    return list(pins.values()) + extras


def missing(packages: list[Wanted]) -> list[Wanted]:
    """What apt-get must install: packages not installed, or pinned ones at another version."""
    installed = installed_debian_versions([w.package for w in packages])
    return [w for w in packages
            if installed[w.package] is None or (w.version is not None and installed[w.package] != w.version)]


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path.cwd()
    try:
        needed = missing(wanted(root / "toolchains"))
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    for item in needed:
        print(f"{item.apt_argument}\t{item.why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
