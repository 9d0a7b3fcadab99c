"""What every typed view shares: the base class, source references, dependencies, and tolerant
readers of raw values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fluxops.model.identity import NamespacedName, ObjectId
from fluxops.model.resource import Resource


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


@dataclass(frozen=True, order=True)
class SourceRef:
    """A reference to a Flux source (or, for chartRef, a HelmChart/OCIRepository)."""

    kind: str
    namespace: str
    name: str
    api_version: str = ""

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"

    @classmethod
    def from_spec(cls, spec: Any, default_namespace: str) -> SourceRef | None:
        spec = _dict(spec)
        if not spec.get("name"):
            return None
        return cls(
            kind=_str(spec.get("kind")),
            namespace=_str(spec.get("namespace")) or default_namespace,
            name=_str(spec.get("name")),
            api_version=_str(spec.get("apiVersion")),
        )

    @classmethod
    def parse(cls, text: str) -> SourceRef:
        """`KIND/NAMESPACE/NAME` or `KIND/NAME` (namespace flux-system)."""
        parts = text.split("/")
        if len(parts) == 3 and all(parts):
            return cls(parts[0], parts[1], parts[2])
        if len(parts) == 2 and all(parts):
            return cls(parts[0], "flux-system", parts[1])
        raise ValueError(f"expected KIND/NAMESPACE/NAME, got {text!r}")


class FluxObject:
    """Base of the typed views. `resource.raw` stays the truth."""

    group: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    @property
    def raw(self) -> dict[str, Any]:
        return self.resource.raw

    @property
    def id(self) -> ObjectId:
        return self.resource.id

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def namespace(self) -> str:
        return self.resource.namespace or "default"

    @property
    def ref(self) -> NamespacedName:
        return NamespacedName(self.namespace, self.name)

    @property
    def version(self) -> str:
        return self.resource.id.version

    @property
    def spec(self) -> dict[str, Any]:
        return self.resource.spec

    @property
    def suspended(self) -> bool:
        return self.spec.get("suspend") is True

    @property
    def interval(self) -> str | None:
        value = self.spec.get("interval")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.namespace}/{self.name})"


@dataclass(frozen=True)
class Dependency:
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


def _depends_on(spec: dict[str, Any], default_namespace: str) -> list[Dependency]:
    out = []
    for entry in _list(spec.get("dependsOn")):
        entry = _dict(entry)
        name = _str(entry.get("name"))
        if name:
            out.append(Dependency(_str(entry.get("namespace")) or default_namespace, name))
    return out
