"""The schemas `drift` compares with: the built-in kinds' (shipped), and custom kinds' from
the live CRD, else a CRD in the rendered objects, else the Flux CRDs shipped with fluxops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.drift.schema import SchemaRegistry

if TYPE_CHECKING:
    from fluxops.cluster.live import LiveReader
    from fluxops.drift.plan import OwnerPlan


def schemas_for(reader: LiveReader, plans: list[OwnerPlan]) -> SchemaRegistry:
    schemas = SchemaRegistry()
    _add_crd_schemas(reader, schemas, plans)
    return schemas


def _add_crd_schemas(reader: LiveReader, schemas: SchemaRegistry, plans: list[OwnerPlan]) -> None:
    """The schemas of custom kinds: the live CRD, else one in the rendered objects, else the
    Flux CRDs shipped with fluxops. Unknown kinds are compared without a schema."""
    from fluxops.cluster.client import ClusterClient
    from fluxops.drift.schema import shipped_flux_crds
    from fluxops.errors import ClusterError

    kinds: set[tuple[str, str]] = set()
    crds: list[dict[str, object]] = []
    for plan in plans:
        for d in plan.desired:
            kinds.add((d.api_version, d.kind))
            if d.kind == "CustomResourceDefinition":
                crds.append(d.raw)
    missing = []
    for api_version, kind in sorted(kinds):
        group, _, version = api_version.rpartition("/")
        if group and not schemas.has(group, version, kind):
            missing.append((api_version, kind))
    if not missing:
        return
    source = reader.source
    if isinstance(source, ClusterClient):
        for api_version, kind in missing:
            try:
                res = source.resource(api_version, kind)
                crd = reader.get(
                    "apiextensions.k8s.io/v1",
                    "CustomResourceDefinition",
                    f"{res.plural}.{res.group}",
                    None,
                )
            except ClusterError:
                continue
            if crd:
                schemas.add_crd(crd)
    else:
        try:
            for crd in reader.list_all("apiextensions.k8s.io/v1", "CustomResourceDefinition"):
                schemas.add_crd(crd)
        except ClusterError:
            pass
    for crd in crds:
        schemas.add_crd(crd, override=False)
    if any(not schemas.has(*_gvk(a, k)) for a, k in missing):
        for crd in shipped_flux_crds():
            schemas.add_crd(crd, override=False)


def _gvk(api_version: str, kind: str) -> tuple[str, str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version, kind
