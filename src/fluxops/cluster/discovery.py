"""API discovery documents, parsed: which groups, versions and kinds a server serves.

Pure functions over the JSON the server returns for `/api`, `/apis/<group>`, `/api/v1` and
`/apis/<group>/<version>`; `fluxops.cluster.client` fetches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The API groups of Flux's controllers (source-watcher's ArtifactGenerator included).
FLUX_GROUPS: tuple[str, ...] = (
    "source.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io",
    "image.toolkit.fluxcd.io",
    "source.extensions.fluxcd.io",
)


@dataclass(frozen=True)
class APIResource:
    """One kind as a server serves it in one group version."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: frozenset[str]

    @property
    def api_version(self) -> str:
        return join_api_version(self.group, self.version)

    @property
    def resource(self) -> str:
        """`plural` or `plural.group`, as RBAC and kubectl name it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> (`apps`, `v1`); `v1` -> (``, `v1`)."""
    group, _, version = api_version.rpartition("/")
    if not version or "/" in group:
        raise ValueError(f"not an apiVersion: {api_version!r}")
    return group, version


def join_api_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def group_version_path(group: str, version: str) -> str:
    """The discovery path (and the prefix of every resource path) of a group version."""
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def group_path(group: str) -> str:
    return f"/apis/{group}" if group else "/api"


def parse_group(group: str, body: Mapping[str, Any]) -> list[str]:
    """Versions a group serves, preferred first then in the server's (priority) order.

    `body` is an APIGroup (`/apis/<group>`) or, for the core group, an APIVersions (`/api`).
    """
    if not group:
        return [str(v) for v in body.get("versions", [])]
    versions = [str(v["version"]) for v in body.get("versions", []) if "version" in v]
    preferred = (body.get("preferredVersion") or {}).get("version")
    if preferred in versions:
        versions.remove(preferred)
        versions.insert(0, preferred)
    return versions


def parse_resources(group: str, version: str, body: Mapping[str, Any]) -> dict[str, APIResource]:
    """Kinds of an APIResourceList, by kind. Subresources (`pods/status`) are left out."""
    out: dict[str, APIResource] = {}
    for r in body.get("resources", []):
        name = str(r.get("name", ""))
        if not name or "/" in name:
            continue
        kind = str(r.get("kind", ""))
        out.setdefault(
            kind,
            APIResource(
                group=group,
                version=version,
                kind=kind,
                plural=name,
                namespaced=bool(r.get("namespaced", False)),
                verbs=frozenset(str(v) for v in r.get("verbs", [])),
            ),
        )
    return out


def preferred_by_kind(
    group: str, versions: Iterable[str], resources: Mapping[str, Mapping[str, APIResource]]
) -> dict[str, str]:
    """For each kind of `group`, the apiVersion of the first version (in `versions` order:
    preferred first) that serves it. A kind that only an older version serves (Flux's
    notification Alert and Provider live in v1beta3 while Receiver is in v1) still maps."""
    out: dict[str, str] = {}
    for version in versions:
        for kind in resources.get(version, {}):
            out.setdefault(kind, join_api_version(group, version))
    return out


#: The Accept header for aggregated discovery (GA in Kubernetes 1.30): one request returns
#: every group, version and kind.
AGGREGATED_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
)


def parse_aggregated(
    body: Mapping[str, Any],
) -> tuple[dict[str, list[str]], dict[tuple[str, str], dict[str, APIResource]]] | None:
    """An APIGroupDiscoveryList (`/apis` or `/api` with AGGREGATED_ACCEPT) as the per-group
    answers it replaces: versions by group (preferred first, as the server lists them) and
    kinds by group version. None when the server answered with the legacy document."""
    if body.get("kind") != "APIGroupDiscoveryList":
        return None
    groups: dict[str, list[str]] = {}
    resources: dict[tuple[str, str], dict[str, APIResource]] = {}
    for item in body.get("items") or []:
        group = str((item.get("metadata") or {}).get("name") or "")
        versions = []
        for entry in item.get("versions") or []:
            version = str(entry.get("version") or "")
            if not version:
                continue
            versions.append(version)
            kinds: dict[str, APIResource] = {}
            for r in entry.get("resources") or []:
                plural = str(r.get("resource") or "")
                kind = str((r.get("responseKind") or {}).get("kind") or "")
                if not plural or not kind or "/" in plural:
                    continue
                kinds.setdefault(
                    kind,
                    APIResource(
                        group=group,
                        version=version,
                        kind=kind,
                        plural=plural,
                        namespaced=r.get("scope") == "Namespaced",
                        verbs=frozenset(str(v) for v in r.get("verbs") or []),
                    ),
                )
            resources[(group, version)] = kinds
        groups[group] = versions
    return groups, resources
