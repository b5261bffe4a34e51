"""`python -m wasmimage inspect IMAGE`: what an image is, in a screenful.

IMAGE is an image directory, `oci-layout:PATH:TAG` or a registry reference (pulled and
checked like `run` does). Shows name, version, sources, toolchain, engine, files and sizes,
conformance counts, the SBOM's components by role and the provenance's build times. For a
registry reference the provenance comes from the image's referrers (referrers.py), since it
is never inside the image's layer.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wasmimage import files
from wasmimage.digests import sha256_digest
from wasmimage.errors import InvalidInput, NotFound, Tampered
from wasmimage.pipeline import provenance, referrers, sbom
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.descriptors import Blob
from wasmimage.registry.pull import resolve_image_ref
from wasmimage.registry.reference import parse_reference
from wasmimage.runtime.image import open_image
from wasmimage.settings import Settings
from wasmimage.sources import pins


def _source(pin: dict[str, Any]) -> str:
    digest = f"sha256 {pin['sha256']}" if pin.get("sha256") else f"commit {pin.get('commit')}"
    return f"{pin['name']}: {pins.location(pin) or pin['name']}  {digest}"


def _toolchain(toolchain: dict[str, Any]) -> list[str]:
    head = f"{toolchain['name']} (provider {toolchain['provider']})"
    if toolchain["kind"] == "debian":
        return [head] + [f"{p} {v}" for p, v in sorted(toolchain["packages"].items())]
    return [head + "  " + " ".join(f"{k}={toolchain[k]}" for k in ("version", "rustc", "sha256") if k in toolchain)]


def _config(config: dict[str, Any]) -> str:
    """An engine profile's settings in a few words: what a consumer's Config must match."""
    on = [name for name in ("consume_fuel", "epoch_interruption") if config.get(name)]
    return ", ".join(on or ["no fuel, no epochs"]) + f", opt_level {config.get('opt_level')}"


def sbom_summary(path: Path) -> str:
    components = files.read_json(path).get("components", [])
    roles = Counter(next((p["value"] for p in c.get("properties", []) if p["name"] == sbom.ROLE), "other")
                    for c in components)
    return f"{len(components)} components (" + ", ".join(f"{n} {r}" for r, n in sorted(roles.items())) + ")"


def provenance_summary(statement: dict[str, Any], image_dir: Path | None) -> str:
    run = statement["predicate"]["runDetails"]
    times = run.get("metadata", {})
    text = (f"built {times.get('startedOn')} .. {times.get('finishedOn')} by {run['builder']['id']} "
            f"(wasmimage {run['builder']['version'].get('wasmimage')})")
    if image_dir is not None:
        problems = provenance.check(image_dir, statement)
        text += "; subject digests match" if not problems else "; DOES NOT MATCH: " + "; ".join(problems)
    return text


def remote_provenance(ref: str, insecure: bool, credentials: Credentials = Credentials()) -> dict[str, Any] | None:
    """The provenance attached to a registry image as a referrer, or None if it has none."""
    parsed = parse_reference(ref)
    client = RegistryClient(parsed.registry, insecure=insecure, credentials=credentials)
    manifest = client.manifest(parsed.repository, parsed.reference)
    if manifest is None:
        return None
    index = client.manifest(parsed.repository, referrers.fallback_tag(sha256_digest(manifest)))
    try:
        for entry in files.parse_json(index or b'{"manifests": []}').get("manifests", []):
            if entry.get("artifactType") != provenance.MEDIA_TYPE:
                continue
            data = client.manifest(parsed.repository, entry["digest"])
            if data is None:
                raise NotFound(f"{ref}: its referrers index lists {entry['digest']}, which the registry does not have")
            if sha256_digest(data) != entry["digest"]:
                raise Tampered(f"{ref}: referrer {entry['digest']} does not match its digest")
            layer = files.parse_json(data)["layers"][0]
            blob = Blob(layer["mediaType"], layer["digest"], layer["size"])
            if type(blob.size) is not int or not 0 <= blob.size <= MAX_PROVENANCE_BYTES:
                raise InvalidInput(f"{ref}: its provenance is declared as {blob.size!r} bytes; refusing it")
            body = io.BytesIO()
            client.fetch_blob(parsed.repository, blob, body)
            if sha256_digest(body.getvalue()) != blob.digest:
                raise Tampered(f"{ref}: the provenance blob does not match its digest {blob.digest}")
            return files.parse_json(body.getvalue())
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"{ref}: the registry's referrers of it are not what wasmimage publishes "
                           f"({type(exc).__name__}: {str(exc)[:200]})") from None
    return None


def describe(ref: str, *, settings: Settings = Settings(), insecure: bool = False) -> str:
    path = resolve_image_ref(ref, settings=settings, insecure=insecure)
    image = open_image(path)
    m = image.manifest
    lines = [f"{m['name']} {m['tag']}  ({m['language']}, wasmimage {m['pipeline']['wasmimage']})",
             f"  image:       {image.path}"]
    if m["sources"]:
        lines += ["  sources:"] + [f"    {_source(pin)}" for pin in m["sources"]]
    else:
        lines.append("  sources:     none")
    head, *packages = _toolchain(m["toolchain"])
    lines += [f"  toolchain:   {head}"] + [f"    {line}" for line in packages]
    engine = m["engine"]
    lines.append(f"  engine:      wasmtime {engine['wasmtime']} for {engine['target']} (this project's runner: "
                 f"{m['roles']['cwasm']})")
    for profile, entry in sorted(m.get("engines", {}).items()):
        lines.append(f"    {profile}: {entry['file']}, wasmtime {entry['wasmtime']} for {entry['target']} "
                     f"{entry['cpu']['baseline']}, {_config(entry['config'])}; proven by its wasmtime "
                     f"({entry['compiler']['provider']}): {entry['conformance']['passed']} passed, "
                     f"{entry['conformance']['failed']} failed, {entry['conformance']['expected_failures']} "
                     f"known differences ({', '.join(entry['conformance']['suites'])})")
    lines.append("  files:")
    lines += [f"    {name:<28} {entry['size']:>12,} bytes  sha256 {entry['sha256'][:16]}…"
              for name, entry in sorted(m["files"].items())]
    c = m["conformance"]
    lines.append(f"  conformance: {c['passed']} passed, {c['failed']} failed, "
                 f"{c['expected_failures']} known differences")
    sbom_line = _readable(lambda: sbom_summary(image.file("sbom")), "the SBOM") if image.has("sbom") else "none"
    lines.append("  sbom:        " + sbom_line)
    lines.append("  provenance:  " + _provenance_line(ref, image.path, m.get("provenance"), insecure, settings))
    return "\n".join(lines)


def _provenance_line(ref: str, image_dir: Path, name: str | None, insecure: bool, settings: Settings) -> str:
    local = image_dir / name if name else None
    if local is not None and local.is_file():  # beside image.json, not among its files: read with a cap
        return _readable(lambda: provenance_summary(files.parse_json(files.read_capped(local, MAX_PROVENANCE_BYTES)),
                                                    image_dir), "the provenance")
    if not Path(ref).is_dir() and not ref.startswith("oci-layout:"):
        remote = remote_provenance(ref, insecure, Credentials.from_settings(settings))
        if not remote:
            return "none attached in the registry"
        summary = _readable(lambda: provenance_summary(remote, image_dir), "the provenance")
        return summary + " (a referrer in the registry)"
    return "not in this copy (it is written beside image.json at build time, and published as a referrer)"


MAX_PROVENANCE_BYTES = 16 << 20


def _readable(summary: Callable[[], str], what: str) -> str:
    """summary(), or a note that `what` is not what wasmimage writes: an image may bring anything."""
    try:
        return summary()
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, InvalidInput) as exc:
        return f"unreadable: {what} is not what wasmimage writes ({type(exc).__name__}: {str(exc)[:200]})"
