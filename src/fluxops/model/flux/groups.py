"""The Flux API groups, the newest API version of each kind, the order Flux applies kinds in."""

from __future__ import annotations

KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
HELM_GROUP = "helm.toolkit.fluxcd.io"
SOURCE_GROUP = "source.toolkit.fluxcd.io"
SOURCE_EXT_GROUP = "source.extensions.fluxcd.io"
IMAGE_GROUP = "image.toolkit.fluxcd.io"
NOTIFICATION_GROUP = "notification.toolkit.fluxcd.io"
OPERATOR_GROUP = "fluxcd.controlplane.io"
KUSTOMIZE_CONFIG_GROUP = "kustomize.config.k8s.io"

#: The newest API version of every Flux kind (Flux v2.9), used by lint and scaffolding.
LATEST_API_VERSIONS: dict[tuple[str, str], str] = {
    (KUSTOMIZE_GROUP, "Kustomization"): "v1",
    (HELM_GROUP, "HelmRelease"): "v2",
    (SOURCE_GROUP, "GitRepository"): "v1",
    (SOURCE_GROUP, "OCIRepository"): "v1",
    (SOURCE_GROUP, "HelmRepository"): "v1",
    (SOURCE_GROUP, "HelmChart"): "v1",
    (SOURCE_GROUP, "Bucket"): "v1",
    (SOURCE_GROUP, "ExternalArtifact"): "v1",
    (SOURCE_EXT_GROUP, "ArtifactGenerator"): "v1beta1",
    (IMAGE_GROUP, "ImageRepository"): "v1",
    (IMAGE_GROUP, "ImagePolicy"): "v1",
    (IMAGE_GROUP, "ImageUpdateAutomation"): "v1",
    (NOTIFICATION_GROUP, "Alert"): "v1beta3",
    (NOTIFICATION_GROUP, "Provider"): "v1beta3",
    (NOTIFICATION_GROUP, "Receiver"): "v1",
    (OPERATOR_GROUP, "FluxInstance"): "v1",
}

#: Flux kinds in the order they are reported: sources first, then what consumes them.
KIND_ORDER: tuple[str, ...] = (
    "GitRepository",
    "OCIRepository",
    "Bucket",
    "HelmRepository",
    "HelmChart",
    "ExternalArtifact",
    "ArtifactGenerator",
    "Kustomization",
    "HelmRelease",
    "ImageRepository",
    "ImagePolicy",
    "ImageUpdateAutomation",
    "Receiver",
    "Alert",
    "Provider",
)

SOURCE_KINDS = frozenset(
    {"GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket", "ExternalArtifact"}
)
