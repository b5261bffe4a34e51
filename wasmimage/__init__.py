"""wasmimage: build interpreters into verified, AOT-compiled WebAssembly images.

The pipeline flows one way: recipe -> fetch -> build -> aot -> verify -> image -> publish.
Each stage is one module; `dodo.py` wires them into doit tasks. Running images is the
run half, `wasmimage.runtime` (wasmtime only; it imports nothing of the pipeline).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the runtime is imported on the first call (below), not by `import wasmimage`
    from pathlib import Path

    from wasmimage.runtime.image import Image
    from wasmimage.runtime.outputs import RunResult

__version__ = "0.3.0"


def run(image: Image | Path | str, script: bytes | str | Path, **options: Any) -> RunResult:
    """Run a script in an image: `wasmimage.runtime.runner.run` (image: a directory or an opened
    Image; script: source as str or bytes, or a Path; options: stdin, args, env, dirs, limits, store).
    The runtime is imported on the first call, so `import wasmimage` stays light."""
    from wasmimage.runtime.runner import run as run_in_image

    return run_in_image(image, script, **options)


def call(image: Image | Path | str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Call a function through the image's executor: `wasmimage.runtime.protocol.call`."""
    from wasmimage.runtime.protocol import call as call_in_image

    return call_in_image(image, request, **options)
