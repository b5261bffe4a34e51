"""The crate kind: one published crate, `NAME==VERSION` pinned by the sha256 of its .crate file.

That digest is the checksum the registry index and every Cargo.lock record. A mirror holds
the file as NAME-VERSION.crate; upstream is cargo itself (`download`), so the machine's
registry configuration applies. The .crate's one NAME-VERSION/ directory is the source's root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from wasmimage import files, log
from wasmimage.errors import Unavailable
from wasmimage.sources import cargo
from wasmimage.sources.base import Entry, Kind, Releases, SbomFacts, Source, ToolchainView, Way, from_entry

KEY = "crate"


def parse(entry: Entry, earlier: Sequence[Source], where: str) -> Source:
    """`crate: NAME==VERSION`: the file the registry serves and cargo caches, NAME-VERSION.crate,
    whose one directory NAME-VERSION/ is the source's root."""
    stem = entry[KEY].replace("==", "-")
    return from_entry(KEY, entry, f"{stem}.crate", subdir=stem)


def purl(pin: Entry) -> str:
    name, _, version = pin[KEY].partition("==")
    return f"pkg:cargo/{name}@{version}"


def sbom(pin: Entry) -> SbomFacts:
    """Its version and package URL, as the SBOM names a crate a Cargo.lock pins (pipeline/sbom.py crate_purl)."""
    return SbomFacts(version=pin[KEY].partition("==")[2], purl=purl(pin))


def releases(source: Source) -> Releases:
    """The registry index lists the crate's versions (and its checksum for the pinned one)."""
    name, _, version = source.location.partition("==")
    return Releases(source.location, "crates", {"name": name, "version": version, "sha256": source.sha256})


def download(source: Source, tmp: Path, toolchain: Callable[[], ToolchainView] | None,
             vendor_cargo: str | None) -> str:
    """Have cargo download a published crate's .crate file into tmp.

    `cargo fetch` for a throwaway manifest that depends on exactly NAME==VERSION, then the file
    from cargo's registry cache: the machine's cargo configuration (registry replacements and
    mirrors included) applies, and cargo checks the file against the registry index's
    checksum. It downloads the crate's dependencies too, into the same cache that `cargo
    vendor` uses next. The caller checks the recipe's sha256.
    """
    name, _, version = source.location.partition("==")
    binary, env = cargo.command_for(toolchain, vendor_cargo)
    with tempfile.TemporaryDirectory(dir=tmp.parent, prefix=".crate-") as work:
        manifest = Path(work) / "Cargo.toml"
        manifest.write_text(f'[package]\nname = "wasmimage-crate-fetch"\nversion = "0.0.0"\nedition = "2021"\n'
                            f'[lib]\npath = "lib.rs"\n[dependencies]\n'
                            f'{cargo.toml_string(name)} = {cargo.toml_string("=" + version)}\n')
        (Path(work) / "lib.rs").touch()
        command = [binary, "fetch", "--manifest-path", str(manifest)]
        log.get("cargo").info("$ %s", " ".join(command))
        try:
            result = subprocess.run(command, cwd=work, env=cargo.download_env(env), stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, check=False)
        except OSError as exc:
            raise Unavailable(f"{source.name}: cannot run {binary}: {exc.strerror}") from None
    home = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    cached = sorted((home / "registry" / "cache").glob(f"*/{name}-{version}.crate"))
    chosen = next((c for c in cached if files.sha256_file(c) == source.sha256), cached[0] if cached else None)
    if result.returncode != 0 or chosen is None:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        first_error = next((i for i, line in enumerate(lines) if line.startswith("error")), max(len(lines) - 3, 0))
        detail = ("\n  ".join(lines[first_error:first_error + 3]) if result.returncode
                  else f"{name}-{version}.crate is not in {home}/registry/cache")
        raise Unavailable(f"{source.name}: cargo could not download {source.location} ({binary} fetch):\n  "
                          f"{detail}\n  put {source.filename} in a mirror to build without the registry")
    shutil.copyfile(chosen, tmp)
    return f"the cargo registry ({chosen})"


KIND = Kind(KEY, lambda source, ctx: [Way(lambda tmp: download(source, tmp, ctx.toolchain, ctx.settings.vendor_cargo))],
            parse=parse, origin=purl, sbom=sbom, releases=releases)
