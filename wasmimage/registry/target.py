"""Where images and cache entries go: a registry host and an optional namespace (`host:port/namespace`)."""

from __future__ import annotations

from dataclasses import dataclass

from wasmimage.errors import InvalidInput
from wasmimage.settings import Settings

REGISTRY_ENV = "WASMIMAGE_REGISTRY"  # named in messages; wasmimage/settings.py reads it


@dataclass(frozen=True)
class Target:
    registry: str  # host[:port], optionally with an explicit http:// or https:// scheme
    namespace: str = ""

    @classmethod
    def parse(cls, spec: str) -> Target:
        scheme, _, rest = spec.rpartition("://") if "://" in spec else ("", "", spec)
        registry, _, namespace = rest.strip("/").partition("/")
        if not registry:
            raise InvalidInput(f"{spec!r}: want a registry as host[:port][/namespace]")
        return cls((f"{scheme}://" if scheme else "") + registry, namespace)

    @classmethod
    def from_settings(cls, settings: Settings) -> Target:
        if not settings.registry:
            raise InvalidInput(f"no registry to publish to: set {REGISTRY_ENV}=host:port/namespace")
        try:
            return cls.parse(settings.registry)
        except InvalidInput as exc:
            raise InvalidInput(f"{REGISTRY_ENV}: {exc}") from None

    def repository(self, name: str) -> str:
        return f"{self.namespace}/{name}" if self.namespace else name
