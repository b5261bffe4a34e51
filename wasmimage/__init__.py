"""wasmimage: build interpreters into verified, AOT-compiled WebAssembly images.

The pipeline flows one way: recipe -> fetch -> build -> aot -> verify -> image -> publish.
Each stage is one module; `dodo.py` wires them into doit tasks.
"""

__version__ = "0.3.0"
