"""Build provenance: an in-toto Statement v1 with a SLSA provenance v1 predicate, per image.

Subject: image.json and every file it lists, by sha256. The predicate records the recipe
(file and digest), each stage's input key (compile, aot, snapshot, verify: keys.py), the source
pins, the toolchain identity, the engine, the builder (this project's version, Python, the
machine's platform) and the start and end of the build run.

Where the time lives: the provenance is the one file of an image that carries a time, so it
stays outside the reproducible digest set. It is written beside image.json as
`provenance.intoto.json`, named by image.json's `provenance` field but not listed in its
`files`: it attests image.json's own digest (a file cannot list the digest of a statement
about itself), and its times differ on every build while the image's bytes must not. In a
registry it is a referrer of the image manifest (publish.py), never part of the layer, so the
image's digest stays the same for the same inputs.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wasmimage import __version__, files
from wasmimage.pipeline import image_files
from wasmimage.sources import pins

FILE_NAME = image_files.PROVENANCE
MEDIA_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "urn:wasmimage:build:recipe:v1"  # fetch -> compile -> aot -> verify -> image, this project's stages


@dataclass(frozen=True)
class BuildRun:
    """What the image stage knows about the run that made the image, beyond the stage outputs."""

    started: datetime  # when the `doit` run began (tasks.RUN_STARTED)
    stage_keys: dict[str, str]  # compile/aot/snapshot/verify -> input key
    recipe_path: str  # relative to the project root, e.g. recipes/quickjs.yaml
    recipe_sha256: str  # of the recipe file itself


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def builder() -> dict[str, Any]:
    return {"id": f"urn:wasmimage:builder:{platform.system().lower()}-{platform.machine().lower()}",
            "version": {"wasmimage": __version__, "python": platform.python_version(),
                        "platform": platform.platform()}}


def _dependency(pin: dict[str, Any]) -> dict[str, Any]:
    """A source pin as an in-toto ResourceDescriptor."""
    uri = pins.location(pin)
    digest = {"sha256": pin["sha256"]} if pin.get("sha256") else {"gitCommit": pin["commit"]}
    return {"name": pin["name"], **({"uri": uri} if uri else {}), "digest": digest}


def statement(image_dir: Path, manifest: dict[str, Any], run: BuildRun, finished: datetime) -> dict[str, Any]:
    """The statement about the image in image_dir (image.json must already be written there)."""
    subject = [{"name": name, "digest": {"sha256": files.sha256_file(image_dir / name)}}
               for name in sorted([*manifest["files"], "image.json"])]
    return {
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "recipe": {"path": run.recipe_path, "digest": {"sha256": run.recipe_sha256}},
                    "name": manifest["name"], "tag": manifest["tag"],
                    "source_date_epoch": manifest["build"]["source_date_epoch"],
                },
                "internalParameters": {
                    "stage_keys": run.stage_keys,
                    "recipe_sha256": manifest["pipeline"]["recipe_sha256"],  # the recipe and its own files
                    "toolchain": manifest["toolchain"],
                    "engine": manifest["engine"],
                },
                "resolvedDependencies": [_dependency(pin) for pin in manifest["sources"]],
            },
            "runDetails": {
                "builder": builder(),
                "metadata": {"startedOn": timestamp(run.started), "finishedOn": timestamp(finished)},
            },
        },
    }


def write(image_dir: Path, manifest: dict[str, Any], run: BuildRun) -> None:
    files.write_json(image_dir / FILE_NAME, statement(image_dir, manifest, run, datetime.now(UTC)))


def check(image_dir: Path, data: dict[str, Any]) -> list[str]:
    """Where a provenance statement disagrees with the files in image_dir (empty: it matches)."""
    problems = []
    for entry in data["subject"]:
        path = image_dir / entry["name"]
        if "/" in entry["name"] or not path.is_file():
            problems.append(f"{entry['name']}: missing")
        elif files.sha256_file(path) != entry["digest"]["sha256"]:
            problems.append(f"{entry['name']}: sha256 differs")
    return problems
