"""A manifest as read from a file or rendered by kustomize: the raw dict, kept as it is,
with its identity and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fluxops.model.identity import ObjectId


@dataclass(frozen=True)
class Origin:
    """Where a document comes from: repo-relative file, index of the document in the file, and
    the 1-based line its first key is on."""

    file: str
    document: int = 0
    line: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Resource:
    """Wraps a raw manifest; never replaces it. Unknown kinds load just the same."""

    raw: dict[str, Any]
    origin: Origin | None = None
    id: ObjectId = field(init=False)

    def __post_init__(self) -> None:
        self.id = ObjectId.of(self.raw)

    @property
    def api_version(self) -> str:
        value = self.raw.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        return self.id.kind

    @property
    def name(self) -> str:
        return self.id.name

    @property
    def namespace(self) -> str:
        return self.id.namespace

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.raw.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict[str, str]:
        annotations = self.metadata.get("annotations")
        return annotations if isinstance(annotations, dict) else {}

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.raw.get("spec")
        return spec if isinstance(spec, dict) else {}

    def is_kind(self, group: str, kind: str) -> bool:
        return self.id.group == group and self.id.kind == kind

    def where(self) -> str:
        return str(self.origin) if self.origin else "(rendered)"
