"""The image's bill of materials: a CycloneDX 1.6 JSON document, `sbom.cdx.json` in every image.

It lists what went into the image: each source with its pin and digest, every crate a
Cargo.lock of the build pinned (with the lock's checksum), the crates of the toolchain's own
std where cargo builds std (-Zbuild-std), the toolchain's packages and versions, each wasmtime
that AOT-compiled a .cwasm (the runner's wasmtime-py, and each engine profile's CLI: engines.py),
and this project's own files (recipe, host programs, executor) by sha256.

The crates are collected by the compile stage (`locked_crates`, recorded in build-info.json)
because only it sees the unpacked build tree; the image stage turns the record into the
document. The bytes are reproducible: no serialNumber and no timestamp (both optional in
the schema; a random UUID or the wall clock would make every build's image differ), explicit
bom-refs, and the library's sorted output. The document is written with cyclonedx-python-lib
(the `build` extra) and validated against the CycloneDX schema before it is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wasmimage import __version__, files
from wasmimage.errors import InvalidInput, Unavailable
from wasmimage.pipeline import image_files
from wasmimage.sources.base import SbomFacts
from wasmimage.sources.cargo import LockedPackage, parse_lock, vendored_packages
from wasmimage.sources.table import named_in

try:  # the `build` extra; only the image stage needs it, and says so when it is missing
    from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from packageurl import PackageURL
    _HAVE_CYCLONEDX = True
except ImportError:
    _HAVE_CYCLONEDX = False

if TYPE_CHECKING:
    from wasmimage.pipeline.recipe import Recipe
    from wasmimage.pipeline.toolchain import ResolvedToolchain

FILE_NAME = image_files.SBOM
MEDIA_TYPE = "application/vnd.cyclonedx+json"
STD_LOCK = "toolchain:std"  # the `lock` of crates that come from the toolchain's std sources
ROLE = "wasmimage:role"  # a property saying why a component is listed


# --- the compile stage: which crates the build's Cargo.lock files pin --------------------------

def lock_files(work_dir: Path) -> list[Path]:
    """The Cargo.lock files a build uses: at the root of each source and among the recipe's files.

    Locks inside vendored crates (a published crate may carry one) are not the build's: only a
    source's root and the recipe's own files count.
    """
    roots = sorted((work_dir / "src").glob("*/Cargo.lock"))
    own = sorted(p for p in (work_dir / "files").rglob("Cargo.lock") if "vendor" not in p.parts)
    return roots + own


def _crate(package: LockedPackage, lock: str) -> dict[str, Any]:
    return {"name": package.name, "version": package.version, "source": package.source,
            "checksum": package.checksum, "lock": lock}


def locked_crates(work_dir: Path, toolchain: ResolvedToolchain) -> list[dict[str, Any]]:
    """Every registry and git crate the build's locks pin, plus the toolchain's std crates.

    Std's crates are those its Cargo.lock (beside `std_crates`) pins and the toolchain ships
    in `std_crates`: Debian's rust-web-src drops the ones only other platforms need.
    """
    found: dict[tuple, dict[str, Any]] = {}
    for lock in lock_files(work_dir):
        where = lock.relative_to(work_dir).as_posix()
        for package in vendored_packages(parse_lock(lock.read_text(), str(lock))):
            found.setdefault((package.name, package.version, package.source), _crate(package, where))
    if toolchain.std_crates:
        std_dir = Path(toolchain.std_crates)
        std_lock = std_dir.parent / "Cargo.lock"
        if std_lock.is_file():
            for package in vendored_packages(parse_lock(std_lock.read_text(), str(std_lock))):
                if (std_dir / f"{package.name}-{package.version}").is_dir():
                    found.setdefault((package.name, package.version, package.source), _crate(package, STD_LOCK))
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1], k[2] or ""))]


# --- the image stage: the document ---------------------------------------------------------

def crate_purl(crate: dict[str, Any]) -> str:
    purl = f"pkg:cargo/{crate['name']}@{quote(crate['version'], safe='')}"
    if crate["source"] and crate["source"].startswith("git+"):
        purl += "?vcs_url=" + quote(crate["source"], safe="")
    return purl


def _source_component(pin: dict[str, Any]):
    """A recorded source pin: its name and sha256, and what its kind says of it (sources/base.py SbomFacts)."""
    kind = named_in(pin)
    facts = kind.sbom(pin) if kind else SbomFacts()
    hashes = [HashType(alg=HashAlgorithm.SHA_256, content=pin["sha256"])] if pin.get("sha256") else []
    references = [ExternalReference(type=kind_of_reference, url=XsUri(url))
                  for kind_of_reference, url in ((ExternalReferenceType.VCS, facts.vcs),
                                                 (ExternalReferenceType.DISTRIBUTION, facts.distribution)) if url]
    properties = [Property(name=ROLE, value="source"), *(Property(name=n, value=v) for n, v in facts.properties)]
    return Component(name=pin["name"], version=facts.version, type=ComponentType.LIBRARY,
                     bom_ref=f"source:{pin['name']}", hashes=hashes, external_references=references,
                     properties=properties, purl=PackageURL.from_string(facts.purl) if facts.purl else None)


def _crate_component(crate: dict[str, Any]):
    purl = crate_purl(crate)
    references = []
    if crate["source"] and crate["source"].startswith("git+"):
        references.append(ExternalReference(type=ExternalReferenceType.VCS, url=XsUri(crate["source"])))
    return Component(
        name=crate["name"], version=crate["version"], type=ComponentType.LIBRARY, bom_ref=purl,
        purl=PackageURL.from_string(purl), external_references=references,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=crate["checksum"])] if crate["checksum"] else [],
        properties=[Property(name=ROLE, value="crate"), Property(name="wasmimage:cargo-lock", value=crate["lock"])])


def _toolchain_components(toolchain: dict[str, Any]) -> list:
    role = [Property(name=ROLE, value="toolchain"), Property(name="wasmimage:toolchain", value=toolchain["name"])]
    if toolchain["kind"] == "debian":
        return [Component(name=package, version=version, type=ComponentType.APPLICATION,
                          bom_ref=f"toolchain:{package}", properties=role,
                          purl=PackageURL(type="deb", namespace="debian", name=package, version=version))
                for package, version in sorted(toolchain["packages"].items())]
    if toolchain["kind"] == "archive":
        return [Component(name=toolchain["provider"], version=toolchain["version"], type=ComponentType.APPLICATION,
                          bom_ref=f"toolchain:{toolchain['provider']}", properties=role,
                          hashes=[HashType(alg=HashAlgorithm.SHA_256, content=toolchain["sha256"])],
                          external_references=[ExternalReference(type=ExternalReferenceType.DISTRIBUTION,
                                                                 url=XsUri(toolchain["url"]))])]
    return [Component(name="rust", version=toolchain.get("rustc") or toolchain["version"],
                      type=ComponentType.APPLICATION, bom_ref=f"toolchain:{toolchain['provider']}",
                      properties=role + [Property(name="wasmimage:targets", value=" ".join(toolchain["targets"]))])]


def _file_component(name: str, path: Path, role: str):
    return Component(name=name, type=ComponentType.FILE, bom_ref=f"file:{name}",
                     hashes=[HashType(alg=HashAlgorithm.SHA_256, content=files.sha256_file(path))],
                     properties=[Property(name=ROLE, value=role)])


def project_files(recipe: Recipe) -> list[tuple[str, Path]]:
    """This project's own files the image was built from, named relative to recipes/."""
    paths = [recipe.path, *recipe.file_paths()]
    return [(p.relative_to(recipe.recipe_dir).as_posix(), p) for p in dict.fromkeys(paths)]


def _compiler_component(profile: str, engine: dict[str, Any]):
    """An engine profile's wasmtime CLI: the wheel or the crate it was installed from (toolchain.py)."""
    compiler = engine["compiler"]
    if compiler["kind"] == "pypi-wheel":
        package, _, version = compiler["wheel"].partition("==")
        purl = PackageURL(type="pypi", name=package, version=version)
    else:
        package, _, version = compiler["crate"].partition("==")
        purl = PackageURL(type="cargo", name=package, version=version)
    properties = [Property(name=ROLE, value="aot-compiler"), Property(name="wasmimage:engine-profile", value=profile),
                  Property(name="wasmimage:target", value=engine["target"]),
                  Property(name="wasmimage:cpu-baseline", value=engine["cpu"]["baseline"])]
    if compiler["kind"] == "cargo-install":
        properties.append(Property(name="wasmimage:features", value=" ".join(compiler["features"])))
    return Component(name=package, version=version, type=ComponentType.APPLICATION, bom_ref=f"engine:{profile}",
                     purl=purl, hashes=[HashType(alg=HashAlgorithm.SHA_256, content=compiler["sha256"])],
                     properties=properties)


def document(recipe: Recipe, build_info: dict[str, Any], aot_info: dict[str, Any],
             engines: dict[str, dict[str, Any]] | None = None) -> str:
    """The SBOM's JSON text, checked against the CycloneDX 1.6 schema. `engines` is image.json's section."""
    if not _HAVE_CYCLONEDX:
        raise Unavailable("the image stage writes an SBOM with cyclonedx-python-lib, which is not installed: "
                          "run scripts/setup (or python3 -m pip install -e '.[build]')")
    image = Component(name=recipe.name, version=recipe.tag, type=ComponentType.APPLICATION,
                      bom_ref=f"image:{recipe.name}", description=f"{recipe.language} interpreter for wasm32-wasip1",
                      hashes=[HashType(alg=HashAlgorithm.SHA_256, content=build_info["wasm"]["sha256"])],
                      properties=[Property(name="wasmimage:recipe-sha256", value=build_info["recipe_sha256"]),
                                  Property(name="wasmimage:source-date-epoch", value=build_info["source_date_epoch"])])
    engine = Component(name="wasmtime", version=aot_info["wasmtime"], type=ComponentType.APPLICATION,
                       bom_ref="engine:wasmtime", purl=PackageURL(type="pypi", name="wasmtime",
                                                                  version=aot_info["wasmtime"]),
                       properties=[Property(name=ROLE, value="aot-compiler"),
                                   Property(name="wasmimage:target", value=aot_info["target"])])
    components = [*(_source_component(pin) for pin in build_info["sources"]),
                  *(_crate_component(c) for c in build_info["crates"]),
                  *_toolchain_components(build_info["toolchain"]), engine,
                  *(_compiler_component(profile, entry) for profile, entry in (engines or {}).items()),
                  *(_file_component(name, path, "project-file") for name, path in project_files(recipe))]
    bom = Bom(components=components)
    # see the module docstring: reproducible bytes (cyclonedx's types do not say None leaves a field out)
    bom.serial_number = None  # type: ignore[assignment]
    bom.metadata.timestamp = None  # type: ignore[assignment]
    bom.metadata.component = image
    bom.metadata.tools.components.add(Component(name="wasmimage", version=__version__,
                                                 type=ComponentType.APPLICATION, bom_ref="tool:wasmimage"))
    bom.register_dependency(image, components)
    text = JsonV1Dot6(bom).output_as_string(indent=2) + "\n"
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise InvalidInput(f"{recipe.name}: the SBOM does not validate against CycloneDX 1.6: {error}")
    return text


def component_count(path: Path) -> int:
    return len(files.read_json(path).get("components", []))
