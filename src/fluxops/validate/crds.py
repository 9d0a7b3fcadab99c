"""CustomResourceDefinitions as schema sources: from repo files, rendered output, and the Flux
CRDs shipped in the package (`data/schemas/flux/`, made by `scripts/generate_schemas.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fluxops.validate.schemaops import DOC_KEYS

CRD_GROUP = "apiextensions.k8s.io"
FLUX_DATA = ("data", "schemas", "flux")


@dataclass(frozen=True)
class CrdVersion:
    """One version of one CRD kind: its schema as written (openAPIV3Schema, documentation
    stripped) and how the CRD serves it."""

    group: str
    kind: str
    version: str
    schema: dict[str, Any] | None
    served: bool = True
    deprecated: bool = False
    deprecation_warning: str = ""
    scope: str = "Namespaced"
    source: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


def is_crd(raw: dict[str, Any]) -> bool:
    api_version = raw.get("apiVersion")
    return (
        raw.get("kind") == "CustomResourceDefinition"
        and isinstance(api_version, str)
        and api_version.startswith(CRD_GROUP + "/")
    )


def compact(node: Any) -> Any:
    """An openAPIV3Schema without its documentation (descriptions are most of a CRD's size).
    Property *names* such as `description` are kept: only keyword positions are dropped.
    `default` is kept: the API server applies defaults before it validates (fluxops.validate.
    defaults)."""
    if isinstance(node, list):
        return [compact(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (key in DOC_KEYS and key != "default") or key == "externalDocs":
            continue
        if key == "default":
            out[key] = value
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            out[key] = {name: compact(sub) for name, sub in value.items()}
        elif key in ("enum", "required", "x-kubernetes-list-map-keys"):
            out[key] = value
        else:
            out[key] = compact(value)
    return out


def crd_versions(raw: dict[str, Any], source: str) -> list[CrdVersion]:
    """Every version a CRD document defines (apiextensions v1, and the v1beta1 layout)."""
    spec = raw.get("spec")
    if not isinstance(spec, dict):
        return []
    group = spec.get("group")
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return []
    scope = str(spec.get("scope") or "Namespaced")
    shared = spec.get("validation") if isinstance(spec.get("validation"), dict) else None
    out = []
    versions = spec.get("versions")
    if not isinstance(versions, list) and isinstance(spec.get("version"), str):
        versions = [{"name": spec["version"], "served": True}]
    for entry in versions if isinstance(versions, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        holder = entry.get("schema") if isinstance(entry.get("schema"), dict) else shared
        schema = holder.get("openAPIV3Schema") if isinstance(holder, dict) else None
        out.append(
            CrdVersion(
                group=group,
                kind=kind,
                version=entry["name"],
                schema=compact(schema) if isinstance(schema, dict) else None,
                served=entry.get("served", True) is not False,
                deprecated=entry.get("deprecated") is True,
                deprecation_warning=str(entry.get("deprecationWarning") or ""),
                scope=scope,
                source=source,
            )
        )
    return out


def packaged_flux() -> tuple[str, list[CrdVersion]]:
    """The Flux CRD schemas shipped with fluxops: (Flux release, versions)."""
    base = resources.files("fluxops")
    for part in FLUX_DATA:
        base = base / part
    index_file = base / "index.json"
    if not index_file.is_file():
        return "", []
    index = json.loads(index_file.read_text(encoding="utf-8"))
    release = str(index.get("flux", ""))
    out = []
    for item in index.get("schemas", []):
        schema_file = base
        for part in str(item["file"]).split("/"):
            schema_file = schema_file / part
        out.append(
            CrdVersion(
                group=item["group"],
                kind=item["kind"],
                version=item["version"],
                schema=json.loads(schema_file.read_text(encoding="utf-8")),
                served=item.get("served", True),
                deprecated=item.get("deprecated", False),
                deprecation_warning=item.get("deprecationWarning", ""),
                scope=item.get("scope", "Namespaced"),
                source=f"Flux {release} CRD" if release else "Flux CRD",
            )
        )
    return release, out
