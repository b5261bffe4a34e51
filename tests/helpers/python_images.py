"""Checks shared by the Python images' tests (cpython, rustpython): what every call on a snapshot must hold."""

from __future__ import annotations

from wasmimage.runtime.image import Image
from wasmimage.runtime.runner import Program, run_program
from wasmimage.runtime.wikifunctions import call_program

# Changes builtins, sys.modules, a module's globals, the executor's own modules and the main
# namespace: a call that sees any of them after this one ran has inherited its state.
DAMAGE = """
import builtins, json, os, sys
builtins.len = None
json.dumps = json.loads = None
os.sep = "damaged"
sys.modules["injected"] = sys
sys.path.insert(0, "/nowhere")
left_behind = True
print("damaged")
"""
INSPECT = """
import builtins, json, os, sys
print(builtins.len is not None, json.dumps is not None, os.sep, "injected" in sys.modules, "/nowhere" in sys.path,
      "left_behind" in globals())
"""
PRISTINE = b"True True / False False False\n"
WIKIFUNCTIONS_REQUEST = {"codeString": "def Z1000(Z1000K1):\n    return Z1000K1 + '!'\n", "functionName": "Z1000",
                         "functionArguments": {"Z1000K1": "hi"}}


def assert_calls_leave_nothing_behind(image: Image, program: Program) -> None:
    """A script and both executors' calls each start from the snapshot, whatever the call before did.

    Fails if a fresh instance per call were replaced by reuse of one, or if a preloaded
    executor's module state were shared between calls."""
    damage = run_program(program, DAMAGE.encode())
    assert damage.stdout == b"damaged\n", damage.stderr.decode()
    assert run_program(program, INSPECT.encode()).stdout == PRISTINE
    damaging_request = {"codeString": "import builtins, json, sys\ndef Z1000(Z1000K1):\n"
                                      "    builtins.len = None\n    json.dumps = None\n"
                                      "    sys.modules['injected'] = sys\n    return Z1000K1\n",
                        "functionName": "Z1000", "functionArguments": {"Z1000K1": "x"}}
    executor = image.file("wikifunctions").read_bytes()
    assert call_program(program, executor, damaging_request)["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "x"}
    assert call_program(program, executor, WIKIFUNCTIONS_REQUEST)["Z22K1"] == {"Z1K1": "Z6", "Z6K1": "hi!"}
    assert run_program(program, INSPECT.encode()).stdout == PRISTINE
