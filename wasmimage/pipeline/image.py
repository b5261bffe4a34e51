"""Image stage: assemble a verified image directory with its manifest.

`image.json` is the contract with consumers: what went in (pins, toolchain, flags,
engine), what came out (every file with its sha256) and what was proven (conformance).
Opening and checking one is the runtime's (wasmimage/runtime/image.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wasmimage import __version__, files
from wasmimage.errors import Stale, StepFailed, Unavailable
from wasmimage.pipeline import image_files
from wasmimage.runtime.image import MANIFEST, MANIFEST_SCHEMA
from wasmimage.runtime.protocols import PROTOCOLS

if TYPE_CHECKING:
    from wasmimage.pipeline.project import StageOutputs
    from wasmimage.pipeline.provenance import BuildRun
    from wasmimage.pipeline.recipe import Recipe


def image_dir(images_root: Path, recipe: Recipe) -> Path:
    return images_root / recipe.name / recipe.tag


def assemble(recipe: Recipe, stages: StageOutputs, target: Path, build_run: BuildRun | None = None,
             engines: tuple[str, ...] = ()) -> Path:
    """Write the image directory atomically: a temporary sibling renamed into place.

    With `build_run` (what the doit run knows: stage keys, start time) the provenance is written too.
    `engines` names the engine profiles besides the runner's whose .cwasm (and proof) go in.
    """
    report = files.read_json(stages.report)
    if report["summary"]["failed"]:
        raise StepFailed(f"{stages.report}: {report['summary']['failed']} conformance failure(s); no image written")
    build_info, aot_info = files.read_json(stages.build_info), files.read_json(stages.aot_info)
    wasm_sha256 = aot_info["wasm_sha256"]
    if wasm_sha256 != files.sha256_file(stages.wasm) or build_info["wasm"]["sha256"] != wasm_sha256:
        raise Stale(f"{recipe.name}: the .cwasm was not compiled from this .wasm; rerun the aot stage")
    if report.get("cwasm_sha256") != files.sha256_file(stages.cwasm):
        raise Stale(f"{stages.report}: it proves another .cwasm than {stages.cwasm}; rerun the verify stage")
    roles = {"wasm": image_files.wasm(recipe.name), "cwasm": image_files.cwasm(recipe.name),
             "report": image_files.REPORT}
    copies = {roles["wasm"]: stages.wasm, roles["cwasm"]: stages.cwasm, roles["report"]: stages.report,
              **{path.name: path for path in stages.mounted(recipe)}}
    snapshot_info = _snapshot_files(recipe, stages, build_info, report, roles, copies) if recipe.snapshot_output \
        else None
    for protocol, script in recipe.protocols.items():
        roles[PROTOCOLS[protocol].role] = script.name
        copies[script.name] = script
    engine_infos = _engine_files(recipe, stages, engines, aot_info, copies)

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = f".{target.name}.partial-"
    for prefix in (partial, f".{target.name}.old-"):
        files.sweep_stale(target.parent, prefix)  # what a killed image stage left behind
    try:
        with files.owned_temp(target.parent, partial, is_dir=True) as work:
            _write_image(recipe, work, target, copies, roles, build_info, aot_info, report, build_run,
                         snapshot_info, engine_infos)
    except OSError as exc:
        if exc.errno is not None and files.no_space(exc):
            raise Unavailable(f"{target}: cannot write the image: {os.strerror(exc.errno)} "
                              f"(on the file system of {target.parent}); nothing was written") from None
        raise
    return target


def _snapshot_files(recipe: Recipe, stages: StageOutputs, build_info: dict, report: dict, roles: dict[str, str],
                    copies: dict[str, Path]) -> dict[str, Any]:
    """The snapshot's record, once it is shown to be made from this build's reactor and proved by the
    report; its .wasm and .cwasm join `roles` and `copies`."""
    snapshot_info: dict[str, Any] = files.read_json(stages.snapshot_info)
    if snapshot_info["reactor_sha256"] != build_info["reactor"]["sha256"]:
        raise Stale(f"{recipe.name}: the snapshot was not made from this build's reactor; "
                    f"rerun the snapshot stage")
    if report.get("snapshot", {}).get("cwasm_sha256") != files.sha256_file(stages.snapshot_cwasm):
        raise Stale(f"{stages.report}: it does not prove {stages.snapshot_cwasm}; rerun the verify stage")
    roles.update({"snapshot_wasm": image_files.snapshot_wasm(recipe.name),
                  "snapshot": image_files.snapshot_cwasm(recipe.name)})
    copies.update({roles["snapshot_wasm"]: stages.snapshot_wasm, roles["snapshot"]: stages.snapshot_cwasm})
    return snapshot_info


def _engine_files(recipe: Recipe, stages: StageOutputs, engines: tuple[str, ...], aot_info: dict,
                  copies: dict[str, Path]) -> dict[str, tuple[dict, dict]]:
    """Each other engine profile's (aot-info, proof), once its .cwasm is shown to be compiled from this
    .wasm and proved in that engine; the .cwasm joins `copies`."""
    engine_infos = {}
    for profile in engines:
        outputs = stages.engine(profile)
        info, proof = files.read_json(outputs.aot_info), files.read_json(outputs.report)
        if info["wasm_sha256"] != aot_info["wasm_sha256"]:
            raise Stale(f"{recipe.name}: engine profile {profile}'s .cwasm was not compiled from this .wasm; "
                        f"rerun the aot stage")
        if proof.get("cwasm_sha256") != files.sha256_file(outputs.cwasm) or proof["summary"]["failed"]:
            raise Stale(f"{outputs.report}: it does not prove {outputs.cwasm} in engine profile {profile}; "
                        f"rerun the verify stage")
        engine_infos[profile] = (info, proof)
        copies[image_files.engine_cwasm(recipe.name, profile)] = outputs.cwasm
    return engine_infos


def engines_section(recipe: Recipe, engine_infos: dict[str, tuple[dict, dict]]) -> dict:
    """image.json's `engines`: each profile's .cwasm, the engine identity it was made for, what proved it."""
    return {profile: {"file": image_files.engine_cwasm(recipe.name, profile),
                      **{k: info[k] for k in ("wasmtime", "config", "target", "cpu", "compiler")},
                      "conformance": {"suites": sorted(proof["suites"]), **proof["summary"]}}
            for profile, (info, proof) in sorted(engine_infos.items())}


def _write_image(recipe: Recipe, work: Path, target: Path, copies: dict[str, Path], roles: dict[str, str],
                 build_info: dict, aot_info: dict, report: dict,
                 build_run: BuildRun | None, snapshot_info: dict | None,
                 engine_infos: dict[str, tuple[dict, dict]]) -> None:
    from wasmimage.pipeline import provenance, sbom

    for name, source in copies.items():
        shutil.copyfile(source, work / name)
    engines = engines_section(recipe, engine_infos)
    (work / sbom.FILE_NAME).write_text(sbom.document(recipe, build_info, aot_info, engines))
    roles = {**roles, "sbom": sbom.FILE_NAME}
    manifest = _manifest(recipe, work, copies, roles, build_info, aot_info, report, engines, build_run)
    recorded = {roles["wasm"]: build_info["wasm"]["sha256"], roles["cwasm"]: aot_info["cwasm"]["sha256"],
                **{name: entry["sha256"] for name, entry in build_info.get("mounted", {}).items()},
                **{engines[p]["file"]: info["cwasm"]["sha256"] for p, (info, _) in engine_infos.items()}}
    if snapshot_info is not None:
        # The runner calls the snapshot (wasmimage/runtime/snapshot_abi.py) instead of `_start`
        manifest["snapshot"] = {"abi": snapshot_info["abi"], "reactor_sha256": snapshot_info["reactor_sha256"],
                                "conformance": report["snapshot"]["summary"]}
        if snapshot_info["preloaded"]:
            manifest["snapshot"]["preloaded"] = snapshot_info["preloaded"]
        recorded.update({roles["snapshot_wasm"]: snapshot_info["wasm_sha256"],
                         roles["snapshot"]: snapshot_info["cwasm"]["sha256"]})
    # The bytes published are the bytes that were built, compiled and verified: the copies
    # must still have the digests the compile and aot stages recorded.
    for name, sha256 in recorded.items():
        if manifest["files"][name]["sha256"] != sha256:
            raise Stale(f"{copies[name]}: changed after its stage recorded sha256 {sha256}; "
                        f"rerun the build (doit build); no image written")
    files.write_json(work / MANIFEST, manifest)
    if build_run is not None:
        provenance.write(work, manifest, build_run)
    for path in work.iterdir():
        os.chmod(path, 0o644)
    files.replace_dir(work, target)


def _manifest(recipe: Recipe, work: Path, copies: dict[str, Path], roles: dict[str, str], build_info: dict,
              aot_info: dict, report: dict, engines: dict, build_run: BuildRun | None) -> dict[str, Any]:
    """image.json but for its snapshot section, describing the files in `work`."""
    from wasmimage.pipeline import provenance

    return {
        "schema": MANIFEST_SCHEMA,
        "name": recipe.name, "version": recipe.version, "revision": recipe.revision, "tag": recipe.tag,
        "language": recipe.language,
        "pipeline": {"wasmimage": __version__, "recipe_sha256": build_info["recipe_sha256"]},
        "sources": build_info["sources"],
        "toolchain": build_info["toolchain"],
        "build": {k: build_info[k] for k in ("flags", "commands", "source_date_epoch")},
        "engine": {k: aot_info[k] for k in ("wasmtime", "config", "target")},
        "run": recipe.run.section(),
        "protocols": {protocol: roles[PROTOCOLS[protocol].role] for protocol in recipe.protocols},
        "roles": roles,
        "files": {name: {"sha256": files.sha256_file(work / name), "size": (work / name).stat().st_size}
                  for name in sorted({*roles.values(), *copies})},  # copies: also the run.mounts files
        "conformance": report["summary"],
        # Other engines' .cwasm files: never loaded by this project's runner (runtime/native.py)
        **({"engines": engines} if engines else {}),
        # Beside image.json, outside `files`: it carries the build's times (see provenance.py).
        **({"provenance": provenance.FILE_NAME} if build_run else {}),
    }
