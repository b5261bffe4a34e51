"""wasmimage: build interpreters into verified, AOT-compiled WebAssembly images.

The pipeline flows one way: recipe -> fetch -> build -> aot -> verify -> image -> publish.
Each stage is one module; `dodo.py` wires them into doit tasks. Running images is the
run half, `wasmimage.runtime` (wasmtime only; it imports nothing of the pipeline).
"""

__version__ = "0.3.0"


def run(image, script, **options):
    """Run a script in an image: `wasmimage.runtime.runner.run` (image: a directory or an opened
    Image; script: source as str or bytes, or a Path; options: stdin, args, env, dirs, limits, store).
    The runtime is imported on the first call, so `import wasmimage` stays light."""
    from wasmimage.runtime.runner import run as run_in_image

    return run_in_image(image, script, **options)


def call(image, request, **options):
    """Call a function through the image's executor: `wasmimage.runtime.protocol.call`."""
    from wasmimage.runtime.protocol import call as call_in_image

    return call_in_image(image, request, **options)
