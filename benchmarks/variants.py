"""Lever variants of the image's .wasm: other clang flags, a wasm-opt pass, other engine configs.

A flag variant is the recipe itself with other `build.flags`, built by the pipeline's own
build stage (wasmimage.pipeline.build.build) into build/bench/variants/, so it differs from the
image in exactly those flags. Built variants are reused while their key is unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.context import Context
from wasmimage.runtime.engine import AOT_CONFIG, AotConfig

WASM_OPT = "wasm-opt"


@dataclass(frozen=True)
class Variant:
    name: str
    flags: tuple[str, ...] | None = None  # None: the image's own .wasm
    wasm_opt: tuple[str, ...] = ()  # a wasm-opt pass over the result
    config: AotConfig = AOT_CONFIG  # the engine it is compiled for and run on

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name).strip("-").lower()[:40]

    @property
    def needs_build(self) -> bool:
        return self.flags is not None or bool(self.wasm_opt)


def flag_variant(base: tuple[str, ...], drop: tuple[str, ...], add: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in base if f not in drop) + add


def lever_variants(recipe_flags: tuple[str, ...]) -> list[Variant]:
    """The steady-state levers, each one change away from the image (the last combines them)."""
    o3 = flag_variant(recipe_flags, ("-O2",), ("-O3",))
    bulk = flag_variant(recipe_flags, (), ("-mbulk-memory",))
    o3_bulk = flag_variant(recipe_flags, ("-O2",), ("-O3", "-mbulk-memory"))
    return [
        Variant("clang -O3", flags=o3),
        Variant("clang -O2 -mbulk-memory", flags=bulk),
        Variant("wasm-opt -O3 over the image's .wasm", wasm_opt=("-O3",)),
        Variant("clang -O3 -mbulk-memory + wasm-opt -O3", flags=o3_bulk, wasm_opt=("-O3",)),
        Variant("clang -O3 -mbulk-memory -flto + wasm-opt -O3", flags=o3_bulk + ("-flto",), wasm_opt=("-O3",)),
        Variant("clang -O3 -mbulk-memory -msimd128 + wasm-opt -O3", flags=o3_bulk + ("-msimd128",),
                wasm_opt=("-O3",)),
        Variant("engine: cranelift_opt_level=speed_and_size",
                config=dataclasses.replace(AOT_CONFIG, cranelift_opt_level="speed_and_size")),
        Variant("engine: epoch_interruption off (no deadlines: not shippable)",
                config=dataclasses.replace(AOT_CONFIG, epoch_interruption=False)),
    ]


def available(variant: Variant) -> str | None:
    """Why the variant cannot be built here, or None."""
    if variant.wasm_opt and shutil.which(WASM_OPT) is None:
        return f"{WASM_OPT} not installed (Debian package binaryen)"
    return None


def variant_wasm(ctx: Context, variant: Variant) -> Path:
    """The variant's .wasm: the image's own, or built (and cached) in the scratch dir."""
    if not variant.needs_build:
        return ctx.image.file("wasm")
    key = _key(ctx, variant)
    work = ctx.scratch / "variants" / f"{variant.slug}-{key}"
    final = work / "variant.wasm"
    if final.is_file():
        return final
    work.mkdir(parents=True, exist_ok=True)
    built = ctx.image.file("wasm") if variant.flags is None else _build_with_flags(ctx, variant.flags, work)
    if variant.wasm_opt:
        optimized = work / "optimized.wasm"
        _run([WASM_OPT, *variant.wasm_opt, str(built), "-o", str(optimized)])
        built = optimized
    shutil.copyfile(built, work / "variant.partial")
    (work / "variant.partial").replace(final)
    return final


def _build_with_flags(ctx: Context, flags: tuple[str, ...], work: Path) -> Path:
    from wasmimage.pipeline.build import build

    recipe = dataclasses.replace(ctx.recipe, flags=flags)
    wasm = work / "built.wasm"
    # The recipe's commands link its snapshot reactor too; the build stage keeps it where it is told.
    build(recipe, ctx.project.toolchain(recipe), ctx.project.fetch_settings, work / "tree", wasm,
          work / "build-info.json", reactor=work / "reactor.wasm",
          source_date_epoch=ctx.project.settings.source_date_epoch)
    shutil.rmtree(work / "tree", ignore_errors=True)
    return wasm


def _key(ctx: Context, variant: Variant) -> str:
    identity = {"recipe": ctx.recipe.digest(), "image_wasm": ctx.image.sha256("wasm"), "flags": variant.flags,
                "wasm_opt": variant.wasm_opt, "toolchain": ctx.project.toolchain(ctx.recipe).identity,
                "wasm_opt_version": _tool_version(WASM_OPT) if variant.wasm_opt else None}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]


def _tool_version(tool: str) -> str:
    return subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
