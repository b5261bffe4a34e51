"""Image stage: assemble a verified image directory with its manifest, and open one safely.

`image.json` is the contract with consumers: what went in (pins, toolchain, flags,
engine), what came out (every file with its sha256) and what was proven (conformance).
Opening an image checks every digest and refuses names that leave the directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wasmimage import __version__, files
from wasmimage.errors import PipelineError
from wasmimage.validation import check_json

if TYPE_CHECKING:  # the runner opens images without loading the recipe machinery
    from wasmimage.provenance import BuildRun
    from wasmimage.recipe import Recipe

MANIFEST = "image.json"
MANIFEST_SCHEMA = 1
# The role of each protocol's executor script in an image (`executor` predates the others).
PROTOCOL_ROLES = {"call": "executor", "wikifunctions": "wikifunctions"}


@dataclass(frozen=True)
class StageOutputs:
    """Where the earlier stages left their results for one recipe."""

    wasm: Path
    build_info: Path
    cwasm: Path
    aot_info: Path
    report: Path
    mounted_dir: Path | None = None  # the files the recipe's run.mounts names, as the compile stage kept them
    # The snapshot stage's, for recipes with a `snapshot` section (snapshot.py)
    reactor: Path | None = None
    snapshot_wasm: Path | None = None
    snapshot_cwasm: Path | None = None
    snapshot_info: Path | None = None

    def mounted(self, recipe: Recipe) -> list[Path]:
        return [self.mounted_dir / name for name in recipe.mounted_files] if self.mounted_dir else []


def image_dir(images_root: Path, recipe: Recipe) -> Path:
    return images_root / recipe.name / recipe.tag


def assemble(recipe: Recipe, stages: StageOutputs, target: Path, build_run: BuildRun | None = None) -> Path:
    """Write the image directory atomically: a temporary sibling renamed into place.

    With `build_run` (what the doit run knows: stage keys, start time) the provenance is written too.
    """
    report = files.read_json(stages.report)
    if report["summary"]["failed"]:
        raise PipelineError(f"{stages.report}: {report['summary']['failed']} conformance failure(s); no image written")
    build_info, aot_info = files.read_json(stages.build_info), files.read_json(stages.aot_info)
    if aot_info["wasm_sha256"] != files.sha256_file(stages.wasm) or build_info["wasm"]["sha256"] != aot_info["wasm_sha256"]:
        raise PipelineError(f"{recipe.name}: the .cwasm was not compiled from this .wasm; rerun the aot stage")
    if report.get("cwasm_sha256") != files.sha256_file(stages.cwasm):
        raise PipelineError(f"{stages.report}: it proves another .cwasm than {stages.cwasm}; rerun the verify stage")
    roles = {"wasm": f"{recipe.name}.wasm", "cwasm": f"{recipe.name}.cwasm", "report": "conformance-report.json"}
    copies = {roles["wasm"]: stages.wasm, roles["cwasm"]: stages.cwasm, roles["report"]: stages.report,
              **{path.name: path for path in stages.mounted(recipe)}}
    snapshot_info = None
    if recipe.snapshot_output:
        snapshot_info = files.read_json(stages.snapshot_info)
        if snapshot_info["reactor_sha256"] != build_info["reactor"]["sha256"]:
            raise PipelineError(f"{recipe.name}: the snapshot was not made from this build's reactor; "
                                f"rerun the snapshot stage")
        if report.get("snapshot", {}).get("cwasm_sha256") != files.sha256_file(stages.snapshot_cwasm):
            raise PipelineError(f"{stages.report}: it does not prove {stages.snapshot_cwasm}; rerun the verify stage")
        roles.update({"snapshot_wasm": f"{recipe.name}-snapshot.wasm", "snapshot": f"{recipe.name}-snapshot.cwasm"})
        copies.update({roles["snapshot_wasm"]: stages.snapshot_wasm, roles["snapshot"]: stages.snapshot_cwasm})
    run = {k: v for k, v in recipe.run.items() if k not in ("executor", "protocols")}
    for protocol, script in recipe.protocols.items():
        roles[PROTOCOL_ROLES[protocol]] = script.name
        copies[script.name] = script

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = f".{target.name}.partial-"
    for prefix in (partial, f".{target.name}.old-"):
        files.sweep_stale(target.parent, prefix)  # what a killed image stage left behind
    try:
        with files.owned_temp(target.parent, partial, is_dir=True) as work:
            _write_image(recipe, work, target, copies, roles, run, build_info, aot_info, report, build_run,
                         snapshot_info)
    except OSError as exc:
        if files.no_space(exc):
            raise PipelineError(f"{target}: cannot write the image: {os.strerror(exc.errno)} "
                                f"(on the file system of {target.parent}); nothing was written") from None
        raise
    return target


def _write_image(recipe: Recipe, work: Path, target: Path, copies: dict[str, Path], roles: dict[str, str],
                 run: dict[str, Any], build_info: dict, aot_info: dict, report: dict,
                 build_run: BuildRun | None, snapshot_info: dict | None) -> None:
    from wasmimage import provenance, sbom

    for name, source in copies.items():
        shutil.copyfile(source, work / name)
    (work / sbom.FILE_NAME).write_text(sbom.document(recipe, build_info, aot_info))
    roles = {**roles, "sbom": sbom.FILE_NAME}
    manifest = {
        "schema": MANIFEST_SCHEMA,
        "name": recipe.name, "version": recipe.version, "revision": recipe.revision, "tag": recipe.tag,
        "language": recipe.language,
        "pipeline": {"wasmimage": __version__, "recipe_sha256": build_info["recipe_sha256"]},
        "sources": build_info["sources"],
        "toolchain": build_info["toolchain"],
        "build": {k: build_info[k] for k in ("flags", "commands", "source_date_epoch")},
        "engine": {k: aot_info[k] for k in ("wasmtime", "config", "target")},
        "run": run,
        "protocols": {protocol: roles[PROTOCOL_ROLES[protocol]] for protocol in recipe.protocols},
        "roles": roles,
        "files": {name: {"sha256": files.sha256_file(work / name), "size": (work / name).stat().st_size}
                  for name in sorted({*roles.values(), *copies})},  # copies: also the run.mounts files
        "conformance": report["summary"],
        # Beside image.json, outside `files`: it carries the build's times (see provenance.py).
        **({"provenance": provenance.FILE_NAME} if build_run else {}),
    }
    recorded = {roles["wasm"]: build_info["wasm"]["sha256"], roles["cwasm"]: aot_info["cwasm"]["sha256"],
                **{name: entry["sha256"] for name, entry in build_info.get("mounted", {}).items()}}
    if snapshot_info is not None:
        # The runner calls the snapshot (wasmimage/snapshot.py's ABI) instead of `_start`
        manifest["snapshot"] = {"abi": snapshot_info["abi"], "reactor_sha256": snapshot_info["reactor_sha256"],
                                "conformance": report["snapshot"]["summary"]}
        if snapshot_info["preloaded_sha256"]:
            manifest["snapshot"]["preloaded_sha256"] = snapshot_info["preloaded_sha256"]
        recorded.update({roles["snapshot_wasm"]: snapshot_info["wasm_sha256"],
                         roles["snapshot"]: snapshot_info["cwasm"]["sha256"]})
    # The bytes published are the bytes that were built, compiled and verified: the copies
    # must still have the digests the compile and aot stages recorded.
    for name, sha256 in recorded.items():
        if manifest["files"][name]["sha256"] != sha256:
            raise PipelineError(f"{copies[name]}: changed after its stage recorded sha256 {sha256}; "
                                f"rerun the build (doit build); no image written")
    files.write_json(work / MANIFEST, manifest)
    if build_run is not None:
        provenance.write(work, manifest, build_run)
    for path in work.iterdir():
        os.chmod(path, 0o644)
    files.replace_dir(work, target)


@dataclass(frozen=True)
class Image:
    path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.manifest["name"]

    def file(self, role: str) -> Path:
        return self.path / self.manifest["roles"][role]

    def sha256(self, role: str) -> str:
        return self.manifest["files"][self.manifest["roles"][role]]["sha256"]

    def has(self, role: str) -> bool:
        return role in self.manifest["roles"]


_digests: dict[tuple[int, ...], str] = {}
_valid_manifests: set[bytes] = set()  # sha256 of manifest texts that passed the schema


def _digest(path: Path) -> str:
    """sha256 of a file, computed once per process per file identity.

    Opening an image by path on every call re-hashed the 2.9 MB .cwasm each time (4-9 ms).
    The identity includes the inode and ctime, which every write, rename or utime changes,
    so a file replaced or modified since is hashed again.
    """
    stat = path.stat()
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if identity not in _digests:
        _digests[identity] = files.sha256_file(path)
    return _digests[identity]


def open_image(path: Path) -> Image:
    """Read and check an image directory: every listed file must be inside it and match its digest."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise PipelineError(f"{path}: not an image directory (no {MANIFEST})")
    text = manifest_path.read_bytes()
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PipelineError(f"{manifest_path}: not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        schema = manifest.get("schema") if isinstance(manifest, dict) else None
        raise PipelineError(f"{manifest_path}: schema {schema!r} is not {MANIFEST_SCHEMA}")
    text_digest = hashlib.sha256(text).digest()
    if text_digest not in _valid_manifests:  # the same bytes are the same verdict
        check_json(manifest, manifest_path, "image")
        _valid_manifests.add(text_digest)
    root = path.resolve()
    for name, entry in manifest["files"].items():
        file_path = root / name  # a plain file name (the schema): only a symlink can lead out
        if file_path.is_symlink() and file_path.resolve().parent != root:
            raise PipelineError(f"{manifest_path}: files: {name!r} is outside the image directory; refusing it")
        if not file_path.is_file():
            raise PipelineError(f"{manifest_path}: files: {name} is missing")
        actual = _digest(file_path)
        if actual != entry["sha256"]:
            raise PipelineError(f"{file_path}: sha256 {actual} does not match the manifest's {entry['sha256']}; "
                                f"the image was modified after it was written")
    for role, name in manifest["roles"].items():
        if name not in manifest["files"]:
            raise PipelineError(f"{manifest_path}: roles.{role}: {name!r} is not listed in files")
    return Image(root, manifest)
