"""wasmimage: build interpreters into verified, AOT-compiled WebAssembly images.

The pipeline flows one way: recipe -> fetch -> build -> aot -> verify -> image -> publish.
Each stage is one module; `dodo.py` wires them into doit tasks. Running images is the
run half, `wasmimage.runtime` (wasmtime only; it imports nothing of the pipeline).
"""

__version__ = "0.3.0"
