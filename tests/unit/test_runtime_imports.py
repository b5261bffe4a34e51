"""The run half stands alone: an evaluator's `pip install wasmimage` (wasmtime only) is enough.

wasmimage.runtime and the CLI's run/call path must load none of the pipeline's libraries
(the `build` extra) and none of the build half's modules; `-X importtime` lists every module
a real `python -m wasmimage run` loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

from helpers.project import ROOT

BUILD_LIBRARIES = {"doit", "jinja2", "requests", "yaml", "jsonschema", "tqdm", "urllib3", "cyclonedx", "cryptography"}
# The foundations the runtime may use besides itself (standard library only)
FOUNDATIONS = {"wasmimage", "wasmimage.errors", "wasmimage.log", "wasmimage.retry", "wasmimage.files",
               "wasmimage.digests", "wasmimage.settings",
               "wasmimage.schemas"}  # schemas: JSON files, the runtime reads image.schema.json
# What the CLI's run/call path loads besides: whether IMAGE names a local directory or a reference is
# decided by one rule, pull's (standard library only; the registry client is not loaded)
CLI_RUN_SIDE = {"wasmimage.cli", "wasmimage.registry", "wasmimage.registry.reference", "wasmimage.registry.descriptors"}
RUNTIME_MODULES = ["wasmimage.runtime", "wasmimage.runtime.image", "wasmimage.runtime.manifest",
                   "wasmimage.runtime.engine", "wasmimage.runtime.native", "wasmimage.runtime.signatures",
                   "wasmimage.runtime.epoch", "wasmimage.runtime.runner", "wasmimage.runtime.protocol",
                   "wasmimage.runtime.wikifunctions", "wasmimage.runtime.snapshot_abi", "wasmimage.runtime.run_spec"]


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(__import__('json').dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _out_of_bounds(modules: list[str]) -> list[str]:
    """Build libraries, and wasmimage modules that are neither runtime nor foundation."""
    return [m for m in modules if m.split(".")[0] in BUILD_LIBRARIES
            or (m.split(".")[0] == "wasmimage" and m not in FOUNDATIONS and not m.startswith("wasmimage.runtime"))]


def test_runtime_modules_load_no_build_library():
    modules = _loaded_after("import " + ", ".join(RUNTIME_MODULES))
    assert set(RUNTIME_MODULES) <= set(modules)
    assert _out_of_bounds(modules) == []


def test_cli_run_path_loads_only_the_runtime():
    """The CLI module itself, as `python -m wasmimage run|call` imports it."""
    modules = _loaded_after("import wasmimage.cli")
    assert "wasmimage.runtime.runner" in modules
    assert _out_of_bounds(modules) == ["wasmimage.cli"]


def test_package_import_is_light():
    assert [m for m in _loaded_after("import wasmimage") if m.startswith("wasmimage")] == ["wasmimage"]


def test_a_signature_counts_for_nothing_without_cryptography(tmp_path):
    """`pip install wasmimage` has no cryptography: a signed image then runs from its .wasm (native.py), with a note."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from wasmimage.pipeline.signing import sign
    from wasmimage.runtime import signatures

    key = Ed25519PrivateKey.generate()
    (tmp_path / "key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                                     serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    (tmp_path / "allowed").write_text(f"quickjs {public.decode()}\n")
    (tmp_path / "image.json.sig").write_text(sign(b"{}", tmp_path / "key"))
    allowed = tmp_path / "allowed"
    # with cryptography
    assert signatures.signer(b"{}", tmp_path / "image.json.sig", allowed, "quickjs").principals == "quickjs"

    code = ("import sys; sys.modules['cryptography'] = None; from pathlib import Path; "
            "from wasmimage.runtime import signatures; "
            f"print(signatures.signer(b'{{}}', Path({str(tmp_path / 'image.json.sig')!r}), "
            f"Path({str(allowed)!r}), 'quickjs'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "None\n"), done.stderr
    assert "the cryptography package is not installed (pip install 'wasmimage[signed]')" in done.stderr
