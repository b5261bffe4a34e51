"""Make a mirror directory for offline builds: every source of a recipe, as the fetch stage looks for it.

    python -m wasmimage mirror rustpython DIR      # on a connected machine
    WASMIMAGE_MIRRORS=DIR doit build:rustpython    # then, anywhere

Files (every kind but git) go to DIR/<filename>; a git source goes to
DIR/<repository>.git, a bare repository with the pinned commit under refs/tags/wasmimage/<commit>.
Adding a second recipe to the same DIR keeps what is there.
"""

from __future__ import annotations

from pathlib import Path

from wasmimage import files
from wasmimage.errors import InvalidInput
from wasmimage.pipeline.fetch import fetch_all, to_mirror
from wasmimage.pipeline.project import Project
from wasmimage.settings import Settings
from wasmimage.sources import cargo


def make_mirror(project: Project, recipe_name: str, out: Path) -> list[str]:
    """Fetch every source of the recipe (cache, mirrors, network) and lay it out in `out`."""
    recipe = project.recipe(recipe_name)
    settings = project.fetch_settings
    fetch_all(recipe.name, recipe.sources, settings, lambda: project.toolchain(recipe))
    out.mkdir(parents=True, exist_ok=True)
    return [to_mirror(source, settings, out) for source in recipe.sources]


def mirror_command(recipe: str, out: str, project_root: str | None, settings: Settings) -> int:
    root = Path(project_root).resolve() if project_root else find_root(Path.cwd())
    for line in make_mirror(Project(root, settings), recipe, Path(out).resolve()):
        print(line)
    return 0


def vendor_command(cargo_dir: str, out: str, cargo_binary: str | None) -> int:
    manifest_dir, archive = Path(cargo_dir).resolve(), Path(out).resolve()
    if not (manifest_dir / "Cargo.lock").is_file():
        raise InvalidInput(f"{manifest_dir}: no Cargo.lock (vendoring needs the exact versions)")
    with files.atomic_path(archive) as tmp:
        digest = cargo.make_archive(manifest_dir, tmp, cargo_binary or "cargo")
    print(f"{archive}\nuncompressed tar sha256 {digest}")
    return 0


def find_root(start: Path) -> Path:
    for directory in (start, *start.parents):
        if (directory / "dodo.py").is_file() and (directory / "recipes").is_dir():
            return directory
    raise InvalidInput(f"{start}: not inside a wasmimage project (no dodo.py and recipes/); use --project")
