"""Native code is loaded only when this machine made it or a trusted key signed it (native.py).

The attack (issue 16, item 1): a registry serves the quickjs image with its .cwasm swapped for
other native code and image.json updated to match. Every digest checks out, so before the
trust model `wasmimage run REGISTRY/...` deserialized and ran it. The planted .cwasm here is a
valid module for this engine that prints PWNED: if PWNED shows, the planted code ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

from helpers.native import cwasm_printing
from helpers.project import QUICKJS_TAG
from helpers.registry import Registry
from wasmimage.errors import NotFound
from wasmimage.pipeline import signing
from wasmimage.pipeline.publish import image_layout, publish
from wasmimage.registry.pull import resolve_image_ref
from wasmimage.registry.target import Target
from wasmimage.runtime import native, program, runner, signatures
from wasmimage.runtime.image import MANIFEST, open_image

ROOT = Path(__file__).resolve().parents[2]
TAG = QUICKJS_TAG
PWNED = b"PWNED\n"
SCRIPT = "print(6 * 7)\n"


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A native store of this machine's own that trusts nothing yet, and no trusted keys (for the
    runner's calls without a store, which take the environment's: native.given_or_environ)."""
    monkeypatch.setenv("WASMIMAGE_NATIVE_CACHE", str(tmp_path / "native"))
    for name in (signatures.TRUSTED_KEYS_ENV, signing.SIGNING_KEY_ENV, "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "native"


@pytest.fixture
def deserialized(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every byte string wasmtime.Module.deserialize is given (it still deserializes them)."""
    calls: list[bytes] = []
    real = wasmtime.Module.deserialize

    def spy(engine, data):
        calls.append(bytes(data))
        return real(engine, data)

    monkeypatch.setattr(wasmtime.Module, "deserialize", staticmethod(spy))
    return calls


@pytest.fixture
def evil_image(quickjs_image: Path, tmp_path: Path) -> Path:
    """The quickjs image with its .cwasm replaced and image.json made to match: digests all fine."""
    image = Path(shutil.copytree(quickjs_image, tmp_path / "evil"))
    manifest = json.loads((image / MANIFEST).read_text())
    for role in ("snapshot", "snapshot_wasm"):  # without its snapshot, so the runner takes the planted command
        (image / manifest["roles"].pop(role)).unlink()
    manifest["files"] = {name: entry for name, entry in manifest["files"].items() if (image / name).exists()}
    del manifest["snapshot"]
    cwasm = image / manifest["roles"]["cwasm"]
    cwasm.write_bytes(cwasm_printing(PWNED))
    manifest["files"][cwasm.name] = {"sha256": hashlib.sha256(cwasm.read_bytes()).hexdigest(),
                                     "size": cwasm.stat().st_size}
    (image / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    open_image(image)  # a well-formed image
    return image


def run_cli(ref: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    script = tmp_path / "main.js"
    script.write_text(SCRIPT)
    full_env = {**os.environ, "WASMIMAGE_OCI_CACHE": str(tmp_path / "oci-cache"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "wasmimage", "run", ref, str(script)], cwd=tmp_path, env=full_env,
                          capture_output=True, timeout=300)


def test_pulled_image_with_planted_cwasm_runs_its_wasm_instead(evil_image: Path, registry: Registry,
                                                               tmp_path: Path, store: Path) -> None:
    pushed = publish(evil_image, Target(registry.host, "attacker"), tmp_path / "oci", out=sys.stderr)
    ref = f"{registry.host}/attacker/quickjs@{pushed.digest}"
    first = run_cli(ref, tmp_path)
    assert PWNED not in first.stdout and first.stdout == b"42\n", first.stderr
    assert b"its .cwasm is neither from this machine nor signed by a key in $WASMIMAGE_TRUSTED_KEYS" in first.stderr
    assert b"compiling its .wasm here" in first.stderr
    # Compiled once: the next run loads what this machine compiled, and still not the planted code.
    second = run_cli(ref, tmp_path)
    assert second.stdout == b"42\n" and b"compiling" not in second.stderr, second.stderr
    assert len(list((store / "compiled").glob("*.cwasm"))) == 1


def test_oci_layout_image_with_planted_cwasm_is_never_deserialized(evil_image: Path, tmp_path: Path,
                                                                   deserialized: list[bytes]) -> None:
    layout = image_layout(open_image(evil_image), tmp_path / "layout", 0)
    pulled = resolve_image_ref(f"oci-layout:{layout.path}:{TAG}", cache=tmp_path / "oci-cache")
    planted = open_image(pulled).file("cwasm").read_bytes()
    result = runner.run(pulled, SCRIPT)
    assert (result.outcome, result.stdout) == ("ok", b"42\n")
    assert planted not in deserialized


def test_a_local_directory_copied_from_elsewhere_is_not_trusted(evil_image: Path, deserialized: list[bytes]) -> None:
    result = runner.run(evil_image, SCRIPT)
    assert result.stdout == b"42\n"
    assert open_image(evil_image).file("cwasm").read_bytes() not in deserialized


def test_this_machines_own_cwasm_is_loaded(quickjs_image: Path, store: Path, deserialized: list[bytes],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What the aot stage records (tasks.aot_compile) makes the image's own .cwasm loadable: no compile."""
    monkeypatch.setattr(program, "_programs", {})  # an earlier test may have loaded this image in this process
    image = open_image(quickjs_image)
    native.trust(image.sha256("cwasm"), native.NativeStore(store))
    # what the snapshot stage records; the runner loads the snapshot
    native.trust(image.sha256("snapshot"), native.NativeStore(store))
    assert runner.run(image, SCRIPT).stdout == b"42\n"
    assert deserialized == [image.file("snapshot").read_bytes()]
    assert not (store / "compiled").exists()


def test_a_compiled_module_changed_in_the_store_is_compiled_again(evil_image: Path, store: Path,
                                                                    capfd: pytest.CaptureFixture) -> None:
    image = open_image(evil_image)
    native.compiled(image, native.NativeStore(store))
    [kept] = (store / "compiled").glob("*.cwasm")
    kept.write_bytes(cwasm_printing(PWNED))  # not a .cwasm this machine made
    module = native.compiled(image, native.NativeStore(store))
    assert runner.run_program(runner.program_from_run("quickjs", module, image.run),
                              SCRIPT.encode()).stdout == b"42\n"
    assert capfd.readouterr().err.count("compiling its .wasm here") == 2


# Signed images.

@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """Two OpenSSH Ed25519 keys, and an allowed_signers file trusting only the first, for the quickjs image
    (an image signature's principal is the image's name)."""
    made = {}
    for name in ("builder", "stranger"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(tmp_path / name)],
                       check=True)
        made[name] = tmp_path / name
    public = (tmp_path / "builder.pub").read_text().split()
    (tmp_path / "allowed_signers").write_text(f"# who may sign images\nquickjs {public[0]} {public[1]}\n")
    made["allowed"] = tmp_path / "allowed_signers"
    return made


def test_image_signed_by_a_trusted_key_runs_its_own_cwasm(evil_image: Path, registry: Registry,
                                                          tmp_path: Path, keys: dict[str, Path]) -> None:
    """Signing is what lets a consumer skip the compile: the signer vouches for the native code,
    whatever it is (here the planted module, to show whose code runs)."""
    pushed = publish(evil_image, Target(registry.host, "signed"), tmp_path / "oci", out=sys.stderr,
                     sign_key=keys["builder"])
    ref = f"{registry.host}/signed/quickjs@{pushed.digest}"
    trusted = run_cli(ref, tmp_path, WASMIMAGE_TRUSTED_KEYS=str(keys["allowed"]))
    assert trusted.stdout == PWNED and b"compiling" not in trusted.stderr, trusted.stderr
    untrusted = run_cli(ref, tmp_path)  # the same image, no trusted keys configured
    assert untrusted.stdout == b"42\n" and b"compiling its .wasm here" in untrusted.stderr
    # The signature travelled in the layer; an existing tool verifies it.
    pulled = resolve_image_ref(ref, cache=tmp_path / "oci-cache")
    verified = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(keys["allowed"]), "-I", "quickjs",
                               "-n", signatures.NAMESPACE, "-s", str(pulled / signatures.SIGNATURE)],
                              stdin=(pulled / MANIFEST).open("rb"), capture_output=True, text=True)
    assert verified.returncode == 0 and "Good" in verified.stdout, verified.stderr


def test_signature_by_an_untrusted_key_or_of_another_manifest_counts_for_nothing(
        evil_image: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, deserialized: list[bytes]) -> None:
    monkeypatch.setenv(signatures.TRUSTED_KEYS_ENV, str(keys["allowed"]))
    planted = open_image(evil_image).file("cwasm").read_bytes()
    signing.sign_image(evil_image, keys["stranger"])
    assert runner.run(evil_image, SCRIPT).stdout == b"42\n"
    # Signed by the trusted key, then image.json changed (its run section, say): not that signature's.
    edited = Path(shutil.copytree(evil_image, evil_image.with_name("edited")))
    signing.sign_image(edited, keys["builder"])
    manifest = json.loads((edited / MANIFEST).read_text())
    manifest["run"]["out_of_memory_exit_code"] = 5
    (edited / MANIFEST).write_text(json.dumps(manifest))
    assert runner.run(edited, SCRIPT).stdout == b"42\n"
    assert planted not in deserialized


@pytest.mark.parametrize("line", ['quickjs namespaces="git" {key}', 'quickjs valid-before="20200101Z" {key}',
                                  "quickjs cert-authority {key}", "cpython {key}"],
                         ids=["namespaces", "valid-before", "cert-authority", "principal"])
def test_a_key_its_allowed_signers_line_does_not_allow_does_not_vouch(
        evil_image: Path, keys: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        deserialized: list[bytes], line: str) -> None:
    """Issue 24, item 1: the trusted key signed the image, but its line allows it only for git signatures,
    only until 2020, only as a certificate authority, or only for another image; ssh-keygen -Y verify
    refuses each. Before, the options and the principal were ignored and the planted .cwasm ran."""
    public = " ".join((tmp_path / "builder.pub").read_text().split()[:2])
    keys["allowed"].write_text(line.format(key=public) + "\n")
    monkeypatch.setenv(signatures.TRUSTED_KEYS_ENV, str(keys["allowed"]))
    signing.sign_image(evil_image, keys["builder"])
    assert runner.run(evil_image, SCRIPT).stdout == b"42\n"
    assert open_image(evil_image).file("cwasm").read_bytes() not in deserialized


def test_an_unreadable_trusted_keys_file_is_a_clear_error(evil_image: Path, keys: dict[str, Path],
                                                          tmp_path: Path) -> None:
    signing.sign_image(evil_image, keys["builder"])
    missing = tmp_path / "no-such-file"
    with pytest.raises(NotFound, match=f"WASMIMAGE_TRUSTED_KEYS={missing}: cannot read it"):
        signatures.signer(b"{}", evil_image / signatures.SIGNATURE, missing, "quickjs")
