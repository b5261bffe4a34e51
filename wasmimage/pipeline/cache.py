"""Content-addressed cache of stage outputs: when nothing that matters changed, CI compiles nothing.

Each of the compile, aot, snapshot and verify stages has a build key, a sha256 over canonical JSON
(keys.py, digests.py). It holds everything that can change the stage's output bytes, and nothing
else, so that a hit is always correct and an unrelated edit never misses:

  compile  the recipe document and its own files (recipe.digest()), the toolchain identity
           (provider and exact versions, or pins: keys.toolchain_identity), the toolchain
           file, SOURCE_DATE_EPOCH, the pipeline version.  Source pins are in the recipe.
  aot      the .wasm's sha256, the engine identity (wasmtime version, AotConfig, target),
           the host CPU features Cranelift compiles for, the pipeline version.
  snapshot the reactor's sha256, the executor it compiles in, the engine identity, the host
           CPU features, the pipeline version.
  verify   the recipe name, the .cwasm's sha256 (and the snapshot .cwasm's), the recipe's
           conformance suites and the sha256 of every file in them, its `run` section, its
           executor scripts, the pipeline version.

An entry is the stage's output files plus `entry.json` (stage, key, file -> sha256, and an
HMAC-SHA256 of those under the cache key):

  local   <WASMIMAGE_ARTIFACT_CACHE or .cache/artifacts>/<stage>/<key>/
  remote  WASMIMAGE_CACHE_REGISTRY=host:port/namespace: an OCI artifact in repository
          <namespace>/cache-<recipe>, tag <stage>-<key>; entry.json is the config blob and
          each file a layer titled with its name.

Before a stage runs, run_cached() looks its key up, locally and then remotely. On a hit it
restores the files (atomically, each digest checked) and the stage does not run; a remote
hit is kept locally too. On a miss the stage runs and its outputs are stored (and pushed).
An entry whose files do not match entry.json is never used: locally it is discarded,
remotely ignored, and the stage runs. So is an entry whose HMAC is missing or wrong: an entry
vouches for nothing by itself (anyone who can write the cache could write a matching
entry.json), only the cache key does, which only trusted builders hold ($WASMIMAGE_CACHE_KEY,
$WASMIMAGE_CACHE_KEY_FILE, or ~/.config/wasmimage/cache.key made on first use). A remote tag
holding such an entry is overwritten by the next trusted builder's push.

Entries are written into a temporary directory and renamed into place, so concurrent builds
sharing a cache never see half an entry: the first writer wins and a later one discards
its copy. Files are not fsynced: after a crash a damaged entry fails its digests and is
discarded like any other. A registry that cannot be reached is reported once and then
skipped for the rest of the run; a cache never fails a build.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import io
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasmimage import digests, files, log
from wasmimage.errors import InvalidInput, NotFound, PipelineError, Unavailable
from wasmimage.registry.client import Credentials, RegistryClient
from wasmimage.registry.descriptors import MANIFEST_TYPE, TITLE, Blob
from wasmimage.registry.target import Target
from wasmimage.settings import Settings

_log = log.get("cache")

REMOTE_ENV = "WASMIMAGE_CACHE_REGISTRY"  # these three are named in messages; wasmimage/settings.py reads them
KEY_ENV = "WASMIMAGE_CACHE_KEY"  # the secret itself (a CI secret variable)
KEY_FILE_ENV = "WASMIMAGE_CACHE_KEY_FILE"  # or a file holding it
ENTRY = "entry.json"
PARTIAL = ".partial-"  # temporary directories beside the entries (swept when no writer holds them)
ARTIFACT_TYPE = "application/vnd.wasmimage.cache.v1"
ENTRY_TYPE = "application/vnd.wasmimage.cache.entry.v1+json"
FILE_TYPE = "application/octet-stream"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_unreachable: set[str] = set()  # registries that failed in this process: not asked again


class Corrupt(Exception):
    """An entry whose files do not match its entry.json: never used."""


class Unauthenticated(Corrupt):
    """An entry not sealed with our cache key: whoever wrote it, it is never used."""


def default_key_file() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "wasmimage" / "cache.key"


def cache_key(settings: Settings = Settings()) -> bytes:
    """The secret that authenticates entries: $WASMIMAGE_CACHE_KEY, the file $WASMIMAGE_CACHE_KEY_FILE,
    or ~/.config/wasmimage/cache.key, made (random, mode 0600) on first use."""
    if settings.cache_key:
        secret = settings.cache_key.encode()
        where = KEY_ENV
    else:
        path = settings.cache_key_file or default_key_file()
        where = str(path)
        try:
            secret = path.read_bytes().strip()
        except FileNotFoundError:
            if settings.cache_key_file:
                raise NotFound(f"{KEY_FILE_ENV}={path}: no such file") from None
            secret = _new_key_file(path)
        except OSError as exc:
            raise Unavailable(f"{path}: cannot read the cache key: {exc.strerror}") from None
    if len(secret) < 16:
        raise InvalidInput(f"{where}: the cache key must be at least 16 characters (e.g. openssl rand -hex 32)")
    return secret


def _new_key_file(path: Path) -> bytes:
    """A random key written whole or not at all; if another process made one first, that one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with files.owned_temp(path.parent, f".{path.name}{PARTIAL}") as tmp:
        os.chmod(tmp, 0o600)
        tmp.write_bytes(secrets.token_hex(32).encode() + b"\n")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    return path.read_bytes().strip()


def key_id(secret: bytes) -> str:
    """Names a key without revealing it, so a warning can say an entry was sealed with another one."""
    return digests.sha256_hex(b"wasmimage-cache-key-id:" + secret)[:16]


@dataclass(frozen=True)
class Cache:
    local: Path
    remote: Target | None = None
    secret: bytes = field(default_factory=cache_key, repr=False)

    credentials: Credentials = Credentials()  # for the remote

    @classmethod
    def from_settings(cls, settings: Settings, default_local: Path) -> Cache:
        remote = None
        if settings.cache_registry:
            try:
                remote = Target.parse(settings.cache_registry)
            except InvalidInput as exc:
                raise InvalidInput(f"{REMOTE_ENV}: {exc}") from None
        return cls(settings.artifact_cache or default_local, remote, cache_key(settings),
                   Credentials.from_settings(settings))

    def entry(self, stage: str, key: str) -> Path:
        return self.local / stage / key


def short(key: str) -> str:
    return key[:12] + "…"


def run_cached(cache: Cache, stage: str, recipe: str, key: str, outputs: list[Path],
               work: Callable[[], Any]) -> str:
    """Restore `outputs` from the entry for `key`, or run `work` and store them; returns hit/miss."""
    label = f"{stage}:{recipe}"
    source = _lookup(cache, stage, recipe, key, outputs, label)
    if source:
        _log.info(f"{label} hit ({source}, key {short(key)})")
        return "hit"
    work()
    try:
        notes = ["stored" if store(cache.local, stage, key, outputs, cache.secret) else "already stored"]
    except OSError as exc:  # a full disk, say: the stage's own outputs are fine
        _log.info(f"{label} miss (key {short(key)}, not stored: {exc})")
        return "miss"
    if cache.remote is not None and _reachable(cache.remote):
        try:
            notes.append(push(cache.remote, recipe, stage, key, cache.entry(stage, key), cache.secret,
                              cache.credentials))
        except (PipelineError, Corrupt) as exc:
            _unreachable.add(cache.remote.registry)
            notes.append(f"not pushed: {exc}")
    _log.info(f"{label} miss (key {short(key)}, {', '.join(notes)})")
    return "miss"


def has(cache: Cache, stage: str, recipe: str, key: str) -> str | None:
    """Where an entry for key is ("local" or "remote"), without checking or fetching its files."""
    if (cache.entry(stage, key) / ENTRY).is_file():
        return "local"
    if cache.remote is None or not _reachable(cache.remote):
        return None
    repository, tag = remote_name(cache.remote, recipe, stage, key)
    try:
        return "remote" if _client(cache.remote, cache.credentials).manifest(repository, tag) is not None else None
    except PipelineError as exc:
        _unreachable.add(cache.remote.registry)
        _log.info(f"{stage}:{recipe}: remote cache not usable ({exc}); not using it in this run")
        return None


def _lookup(cache: Cache, stage: str, recipe: str, key: str, outputs: list[Path], label: str) -> str | None:
    entry = cache.entry(stage, key)
    if entry.is_dir():
        try:
            restore(entry, stage, key, outputs, cache.secret)
            with contextlib.suppress(OSError):
                os.utime(entry)  # mtime = last use, for pruning (docs/cache.md)
            return "local"
        except Corrupt as exc:
            discard(entry)  # so that the rebuilt entry can take its place
            _log.info(f"{label}: local entry {short(key)} is {_problem(exc)} ({exc}); discarded")
    if cache.remote is None or not _reachable(cache.remote):
        return None
    repository, tag = remote_name(cache.remote, recipe, stage, key)
    try:
        if not pull(cache.remote, repository, tag, stage, key, cache.local / stage, cache.secret,
                    cache.credentials):
            return None
        restore(entry, stage, key, outputs, cache.secret)
        return "remote"
    except Corrupt as exc:
        _log.info(f"{label}: remote entry {repository}:{tag[:24]}… is {_problem(exc)} ({exc}); ignoring it")
    except (PipelineError, OSError) as exc:
        _unreachable.add(cache.remote.registry)
        _log.info(f"{label}: remote cache not usable ({exc}); not using it in this run")
    return None


def _problem(exc: Corrupt) -> str:
    return "not authenticated" if isinstance(exc, Unauthenticated) else "corrupt"


# Local entries.

def check_entry(entry: Path, stage: str, key: str, secret: bytes | None = None) -> dict[str, str]:
    """entry.json's file -> sha256, once its seal and every file are checked against it; Corrupt otherwise."""
    try:
        data = json.loads((entry / ENTRY).read_bytes())
        listed = data["files"]
        if data["stage"] != stage or data["key"] != key or not isinstance(listed, dict):
            raise Corrupt(f"{ENTRY} is not for {stage} key {short(key)}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise Corrupt(f"{ENTRY} unreadable: {exc}") from None
    check_seal(data, secret or cache_key())
    for name, sha256 in listed.items():
        if not isinstance(name, str) or not _NAME.match(name) or name == ENTRY:
            raise Corrupt(f"{ENTRY} lists {name!r}")
        try:
            actual = files.sha256_file(entry / name)
        except OSError:
            raise Corrupt(f"{name} is missing") from None
        if actual != sha256:
            raise Corrupt(f"{name} has sha256 {short(actual)}, {ENTRY} says {short(str(sha256))}")
    return listed


def restore(entry: Path, stage: str, key: str, outputs: list[Path], secret: bytes | None = None) -> None:
    """Copy the entry's files over `outputs` atomically, each copy checked against entry.json."""
    listed = check_entry(entry, stage, key, secret)
    missing = [o.name for o in outputs if o.name not in listed]
    if missing:
        raise Corrupt(f"it lacks {', '.join(missing)}")
    for output in outputs:
        with files.atomic_path(output) as tmp:
            try:
                shutil.copyfile(entry / output.name, tmp)
            except FileNotFoundError:
                raise Corrupt(f"{output.name} vanished") from None
            if files.sha256_file(tmp) != listed[output.name]:
                raise Corrupt(f"{output.name} changed while it was restored")


def store(root: Path, stage: str, key: str, outputs: list[Path], secret: bytes | None = None) -> bool:
    """Add an entry for key holding `outputs`; False if another writer got there first."""
    stage_dir = root / stage
    files.sweep_stale(stage_dir, PARTIAL)  # what killed writers left behind
    with files.owned_temp(stage_dir, PARTIAL, is_dir=True) as tmp:
        for output in outputs:
            shutil.copyfile(output, tmp / output.name)
        listed = {o.name: files.sha256_file(tmp / o.name) for o in outputs}
        (tmp / ENTRY).write_bytes(seal({"stage": stage, "key": key, "files": listed}, secret or cache_key()))
        return _install(tmp, stage_dir / key)


def _mac(body: dict, secret: bytes) -> str:
    return hmac.new(secret, digests.canonical_json(body), "sha256").hexdigest()  # HMAC-SHA256: a keyed seal


def seal(body: dict, secret: bytes) -> bytes:
    """entry.json: the body (stage, key, files) and its HMAC-SHA256 under the cache key."""
    return digests.canonical_json({**body, "hmac": {"key_id": key_id(secret), "sha256": _mac(body, secret)}})


def check_seal(data: dict, secret: bytes) -> None:
    """Unauthenticated unless entry.json carries a valid HMAC of its body under our key."""
    seal_ = data.get("hmac")
    if not isinstance(seal_, dict) or not isinstance(seal_.get("sha256"), str):
        raise Unauthenticated(f"{ENTRY} carries no HMAC (written by an older wasmimage, or by someone without "
                              f"the cache key)")
    body = {k: data[k] for k in ("stage", "key", "files")}
    if not hmac.compare_digest(seal_["sha256"], _mac(body, secret)):
        other = "" if seal_.get("key_id") == key_id(secret) else f", sealed with key {seal_.get('key_id')!r}"
        raise Unauthenticated(f"its HMAC is not ours (our key {key_id(secret)}{other})")


def _install(tmp: Path, entry: Path) -> bool:
    """Rename a complete entry into place; an existing entry wins (ours is then removed with tmp)."""
    os.chmod(tmp, 0o755)
    try:
        os.rename(tmp, entry)
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        raise


def discard(entry: Path) -> None:
    """Rename a corrupt entry away in one step (a reader sees all of it or none), then delete it."""
    trash = entry.with_name(f"{PARTIAL}discard-{entry.name[:12]}-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.rename(entry, trash)
    except FileNotFoundError:
        return  # another process discarded it first
    shutil.rmtree(trash, ignore_errors=True)


# Remote entries, through the registry client (wasmimage/registry/).

def remote_name(target: Target, recipe: str, stage: str, key: str) -> tuple[str, str]:
    """Repository and tag of an entry (a sha256 key is 64 characters; tags may have 128)."""
    return target.repository(f"cache-{recipe}"), f"{stage}-{key[:64]}"


def _client(target: Target, credentials: Credentials) -> RegistryClient:
    # A cache is an optimisation: give up quickly. An explicit http:// in the spec allows plain http.
    return RegistryClient(target.registry, insecure=target.registry.startswith("http://"), credentials=credentials,
                          attempts=2)


def _reachable(target: Target) -> bool:
    return target.registry not in _unreachable


def push(target: Target, recipe: str, stage: str, key: str, entry: Path, secret: bytes,
         credentials: Credentials = Credentials()) -> str:
    """Push a local entry as an OCI artifact unless the tag holds an authentic one (the first trusted
    writer wins there too); a tag holding an entry not sealed with our key is overwritten."""
    client = _client(target, credentials)
    repository, tag = remote_name(target, recipe, stage, key)
    existing = client.manifest(repository, tag)
    if existing is not None:
        try:
            _remote_entry(client, repository, existing, stage, key, secret)
            return "already in the remote cache"
        except Corrupt as exc:
            replaced = f" (replacing an entry that is {_problem(exc)})"
    else:
        replaced = ""
    listed = check_entry(entry, stage, key, secret)
    config_data = (entry / ENTRY).read_bytes()
    config = Blob(ENTRY_TYPE, digests.sha256_digest(config_data), len(config_data))
    client.push_blob(repository, config, entry / ENTRY)
    layers = []
    for name in sorted(listed):
        blob = Blob(FILE_TYPE, f"sha256:{listed[name]}", (entry / name).stat().st_size)
        client.push_blob(repository, blob, entry / name)
        layers.append({**blob.descriptor(), "annotations": {TITLE: name}})
    manifest = {"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "artifactType": ARTIFACT_TYPE,
                "config": config.descriptor(), "layers": layers,
                "annotations": {"io.wasmimage.cache.stage": stage, "io.wasmimage.cache.key": key}}
    client.put_manifest(repository, tag, digests.canonical_json(manifest))
    return "pushed" + replaced


MAX_ENTRY_JSON = 1 << 20


def _remote_entry(client: RegistryClient, repository: str, manifest_data: bytes, stage: str, key: str,
                  secret: bytes) -> tuple[bytes, list[tuple[str, Blob]]]:
    """entry.json and the layers of a remote entry, once entry.json's seal is checked and the layers are
    the files it lists: nothing else of an entry is downloaded before that."""
    try:
        manifest = json.loads(manifest_data)
        config = manifest["config"]
        layers = [(layer["annotations"][TITLE], Blob(layer["mediaType"], layer["digest"], layer["size"]))
                  for layer in manifest["layers"]]
        config_blob = Blob(config["mediaType"], config["digest"], config["size"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Corrupt(f"not a cache entry manifest: {exc}") from None
    for name, blob in [(ENTRY, config_blob), *layers]:
        if not _NAME.match(str(name)) or not _DIGEST.match(str(blob.digest)) or type(blob.size) is not int:
            raise Corrupt(f"bad layer {name!r} {blob.digest!r}")
    if config_blob.size > MAX_ENTRY_JSON:
        raise Corrupt(f"its {ENTRY} is {config_blob.size} bytes")
    buffer = io.BytesIO()
    client.fetch_blob(repository, config_blob, buffer)
    entry_data = buffer.getvalue()
    if digests.sha256_digest(entry_data) != config_blob.digest:
        raise Corrupt(f"blob {ENTRY} does not match the manifest's digest")
    try:
        data = json.loads(entry_data)
        listed = data["files"]
        if data["stage"] != stage or data["key"] != key or not isinstance(listed, dict):
            raise Corrupt(f"{ENTRY} is not for {stage} key {short(key)}")
    except (ValueError, KeyError, TypeError) as exc:
        raise Corrupt(f"{ENTRY} unreadable: {exc}") from None
    check_seal(data, secret)
    if sorted((name, f"sha256:{listed.get(name)}") for name, _ in layers) != \
            sorted((name, blob.digest) for name, blob in layers) or len(layers) != len(listed):
        raise Corrupt(f"its layers are not the files {ENTRY} lists")
    return entry_data, layers


def pull(target: Target, repository: str, tag: str, stage: str, key: str, stage_dir: Path,
         secret: bytes | None = None, credentials: Credentials = Credentials()) -> bool:
    """Fetch a remote entry into the local cache, its seal and every blob checked; False if there is none."""
    client = _client(target, credentials)
    data = client.manifest(repository, tag)
    if data is None:
        return False
    secret = secret or cache_key()
    entry_data, layers = _remote_entry(client, repository, data, stage, key, secret)
    files.sweep_stale(stage_dir, PARTIAL)
    with files.owned_temp(stage_dir, PARTIAL, is_dir=True) as tmp:
        (tmp / ENTRY).write_bytes(entry_data)
        for name, blob in layers:
            try:
                with (tmp / name).open("xb") as f:
                    client.fetch_blob(repository, blob, f)
            except FileExistsError:
                raise Corrupt(f"{name} appears twice") from None
            actual = "sha256:" + files.sha256_file(tmp / name)
            if actual != blob.digest:
                raise Corrupt(f"blob {name} has {short(actual)}, the manifest says {short(blob.digest)}")
        check_entry(tmp, stage, key, secret)
        _install(tmp, stage_dir / key)
    return True
