"""Object identities: what makes two Kubernetes objects "the same object"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1")."""
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


@dataclass(frozen=True, order=True)
class ObjectId:
    """Frozen identity of one object. Two objects with the same `key` are the same object,
    whatever API version they are written in."""

    group: str
    kind: str
    namespace: str
    name: str
    version: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.group, self.kind, self.namespace, self.name)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @classmethod
    def of(cls, raw: dict[str, Any], default_namespace: str = "") -> ObjectId:
        api_version = raw.get("apiVersion")
        group, version = split_api_version(api_version if isinstance(api_version, str) else "")
        meta = raw.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        kind = raw.get("kind")
        name = meta.get("name")
        namespace = meta.get("namespace") or default_namespace
        return cls(
            group=group,
            kind=kind if isinstance(kind, str) else "",
            namespace=namespace if isinstance(namespace, str) else "",
            name=name if isinstance(name, str) else "",
            version=version,
        )

    def short(self) -> str:
        """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: as Flux prints it."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    def inventory_id(self) -> str:
        """The id Flux stores in `status.inventory`: `<namespace>_<name>_<group>_<kind>`."""
        return f"{self.namespace}_{self.name}_{self.group}_{self.kind}"

    def __str__(self) -> str:
        return self.short()


@dataclass(frozen=True, order=True)
class NamespacedName:
    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str, default_namespace: str = "flux-system") -> NamespacedName:
        """`ns/name` or `name` (in `default_namespace`)."""
        if "/" in text:
            ns, _, name = text.partition("/")
            return cls(ns, name)
        return cls(default_namespace, text)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"
