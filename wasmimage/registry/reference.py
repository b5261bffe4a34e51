"""Image references (`REGISTRY/REPO:TAG`, `REGISTRY/REPO@sha256:HEX`) and the plain-http rule.

Plain http is for this machine only: `localhost` and loopback IP addresses, judged on the
parsed host name, never on a prefix; anything else needs https or an explicit --insecure.
Standard library only.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from wasmimage.errors import InvalidInput
from wasmimage.registry.descriptors import is_digest

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
_REPO = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


@dataclass(frozen=True)
class Reference:
    registry: str  # host[:port], optionally with an explicit http:// or https:// scheme
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What goes after /manifests/: the digest if we have one (it pins the content)."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}" + (f"@{self.digest}" if self.digest else f":{self.tag}")


def parse_reference(ref: str) -> Reference:
    """`REGISTRY/REPO:TAG` or `REGISTRY/REPO@sha256:HEX` (REGISTRY is host[:port], as docker writes it)."""
    scheme, _, rest = ref.rpartition("://") if "://" in ref else ("", "", ref)
    registry, slash, path = rest.partition("/")
    if (not slash or not path or registry in (".", "..")
            or not ("." in registry or ":" in registry or registry == "localhost")):
        raise InvalidInput(f"{ref!r}: not an image reference (want REGISTRY/REPO:TAG or REGISTRY/REPO@sha256:...)")
    digest = None
    if "@" in path:
        path, digest = path.split("@", 1)
        if not is_digest(digest):
            raise InvalidInput(f"{ref!r}: {digest!r} is not a sha256 digest")
    repository, tag = path, None
    if ":" in path.rsplit("/", 1)[-1]:
        repository, tag = path.rsplit(":", 1)
        if not _TAG.match(tag):
            raise InvalidInput(f"{ref!r}: {tag!r} is not a valid tag")
    if not _REPO.match(repository):
        raise InvalidInput(f"{ref!r}: {repository!r} is not a valid repository name (lowercase, a-z0-9._-/)")
    if tag is None and digest is None:
        raise InvalidInput(f"{ref!r}: give a tag (:TAG) or a digest (@sha256:...)")
    return Reference((f"{scheme}://" if scheme else "") + registry, repository, tag, digest)


def local_directory(ref: str) -> Path | None:
    """The image directory `ref` names, or None when it names an image to pull (`oci-layout:...`, a
    reference) or nothing at all (pulling then says what is wrong with it). A name that is both a
    reference and a path here is refused: a pin, by digest or tag, is never taken from a local path
    that happens to carry its name (`./NAME` means the path)."""
    if ref.startswith("oci-layout:"):
        return None
    try:
        parse_reference(ref)
    except InvalidInput:
        return Path(ref) if os.path.isdir(ref) else None
    if os.path.lexists(ref):
        raise InvalidInput(f"{ref!r} is both an image reference and a path here; write ./{ref} to use the "
                           f"directory (a reference is never taken from a local path)")
    return None


def _host_name(host: str) -> str | None:
    """The host name of `host[:port]`, or None if it is anything more (a user name, a path, a bad port)."""
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return None
    return parts.hostname if "@" not in host and parts.netloc == host and parts.hostname else None


def is_loopback(host: str) -> bool:
    """Whether host[:port] is this machine: `localhost` or a loopback IP address, parsed, never a prefix
    (`127.0.0.1.example.org` is a DNS name, `127.0.0.1@example.org` is example.org with a user)."""
    name = _host_name(host)
    if name == "localhost":
        return True
    try:
        return name is not None and ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def base_url(registry: str, insecure: bool = False) -> str:
    """https, except for loopback registries or with insecure=True, where plain http is allowed."""
    scheme, _, host = registry.rpartition("://")
    if scheme not in ("", "http", "https"):
        raise InvalidInput(f"{registry}: unknown scheme {scheme!r}")
    if "@" in host:
        raise InvalidInput(f"{registry}: a registry address holds no user name or password; "
                           f"set WASMIMAGE_REGISTRY_USER and WASMIMAGE_REGISTRY_PASSWORD instead")
    if _host_name(host) is None:
        raise InvalidInput(f"{registry}: not a registry host[:port]")
    if not scheme:
        scheme = "http" if is_loopback(host) else "https"
    if scheme == "http" and not (insecure or is_loopback(host)):
        raise InvalidInput(f"{registry}: plain http is allowed only for 127.0.0.1/localhost; "
                           f"pass --insecure if you mean it")
    return f"{scheme}://{host}"


def check_url(url: str, what: str, insecure: bool = False) -> None:
    """Every URL a registry hands us (a redirect, an upload location, a token service) before we send
    anything to it: http or https, no user name, plain http only to this machine unless insecure."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or _host_name(parts.netloc) is None:
        raise InvalidInput(f"{url}: not a {what} URL we use")
    if parts.scheme == "http" and not (insecure or is_loopback(parts.netloc)):
        raise InvalidInput(f"{url}: refusing to talk to a {what} over plain http (only 127.0.0.1/localhost; "
                           f"--insecure if you mean it)")
