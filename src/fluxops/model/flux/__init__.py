"""Typed views of the Flux kinds, across their API versions (old ones included).

A view wraps a `Resource` and reads its raw dict; it never copies or normalises the manifest.
Fields that moved between API versions are read from wherever that version keeps them. One
module per family of kinds; everything is importable from here.
"""

from __future__ import annotations

from fluxops.model.flux.base import Dependency, FluxObject, SourceRef
from fluxops.model.flux.groups import (
    HELM_GROUP,
    IMAGE_GROUP,
    KIND_ORDER,
    KUSTOMIZE_CONFIG_GROUP,
    KUSTOMIZE_GROUP,
    LATEST_API_VERSIONS,
    NOTIFICATION_GROUP,
    OPERATOR_GROUP,
    SOURCE_EXT_GROUP,
    SOURCE_GROUP,
    SOURCE_KINDS,
)
from fluxops.model.flux.helmrelease import HelmRelease
from fluxops.model.flux.kustomization import Kustomization
from fluxops.model.flux.others import (
    Alert,
    FluxInstance,
    ImagePolicy,
    ImageRepository,
    ImageUpdateAutomation,
    Provider,
    Receiver,
)
from fluxops.model.flux.sources import (
    ArtifactGenerator,
    Bucket,
    ExternalArtifact,
    GitRepository,
    HelmChart,
    HelmRepository,
    OCIRepository,
)
from fluxops.model.resource import Resource

__all__ = [
    "HELM_GROUP",
    "IMAGE_GROUP",
    "KIND_ORDER",
    "KUSTOMIZE_CONFIG_GROUP",
    "KUSTOMIZE_GROUP",
    "LATEST_API_VERSIONS",
    "NOTIFICATION_GROUP",
    "OPERATOR_GROUP",
    "SOURCE_EXT_GROUP",
    "SOURCE_GROUP",
    "SOURCE_KINDS",
    "VIEWS",
    "Alert",
    "ArtifactGenerator",
    "Bucket",
    "Dependency",
    "ExternalArtifact",
    "FluxInstance",
    "FluxObject",
    "GitRepository",
    "HelmChart",
    "HelmRelease",
    "HelmRepository",
    "ImagePolicy",
    "ImageRepository",
    "ImageUpdateAutomation",
    "Kustomization",
    "OCIRepository",
    "Provider",
    "Receiver",
    "SourceRef",
    "is_flux_kustomization",
    "view",
]

VIEWS: dict[tuple[str, str], type[FluxObject]] = {
    (cls.group, cls.kind): cls
    for cls in (
        Kustomization,
        HelmRelease,
        GitRepository,
        OCIRepository,
        HelmRepository,
        HelmChart,
        Bucket,
        ExternalArtifact,
        ArtifactGenerator,
        ImageRepository,
        ImagePolicy,
        ImageUpdateAutomation,
        Alert,
        Provider,
        Receiver,
        FluxInstance,
    )
}


def view(resource: Resource) -> FluxObject | None:
    """The typed view of a Flux object, or None for anything else (kustomize's own
    `Kustomization` included: it is told apart by apiVersion, never by kind)."""
    cls = VIEWS.get((resource.id.group, resource.id.kind))
    return cls(resource) if cls else None


def is_flux_kustomization(resource: Resource) -> bool:
    return resource.id.group == KUSTOMIZE_GROUP and resource.id.kind == "Kustomization"
