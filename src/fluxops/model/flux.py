"""Typed views of the Flux kinds, across their API versions (old ones included).

A view wraps a `Resource` and reads its raw dict; it never copies or normalises the manifest.
Fields that moved between API versions are read from wherever that version keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from fluxops.model.identity import NamespacedName, ObjectId
from fluxops.model.resource import Resource

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


class Kustomization(FluxObject):
    """kustomize.toolkit.fluxcd.io Kustomization (v1, v1beta2, v1beta1)."""

    group = KUSTOMIZE_GROUP
    kind = "Kustomization"

    @property
    def path(self) -> str:
        return _str(self.spec.get("path"))

    @property
    def source_ref(self) -> SourceRef | None:
        return SourceRef.from_spec(self.spec.get("sourceRef"), self.namespace)

    @property
    def depends_on(self) -> list[Dependency]:
        return _depends_on(self.spec, self.namespace)

    @property
    def prune(self) -> bool | None:
        value = self.spec.get("prune")
        return value if isinstance(value, bool) else None

    @property
    def target_namespace(self) -> str:
        return _str(self.spec.get("targetNamespace"))

    @property
    def post_build(self) -> dict[str, Any] | None:
        value = self.spec.get("postBuild")
        return value if isinstance(value, dict) else None

    @property
    def substitute(self) -> dict[str, Any]:
        return _dict(_dict(self.post_build).get("substitute"))

    @property
    def substitute_from(self) -> list[dict[str, Any]]:
        return [_dict(e) for e in _list(_dict(self.post_build).get("substituteFrom"))]

    @property
    def substitute_strategy(self) -> str:
        return _str(_dict(self.post_build).get("substituteStrategy"))

    @property
    def common_metadata(self) -> dict[str, Any] | None:
        value = self.spec.get("commonMetadata")
        return value if isinstance(value, dict) else None

    @property
    def components(self) -> list[str]:
        return [c for c in _list(self.spec.get("components")) if isinstance(c, str)]

    @property
    def wait(self) -> bool:
        return self.spec.get("wait") is True

    @property
    def health_checks(self) -> list[dict[str, Any]]:
        return [_dict(e) for e in _list(self.spec.get("healthChecks"))]

    @property
    def remote(self) -> bool:
        """Applies to another cluster through spec.kubeConfig."""
        return bool(self.spec.get("kubeConfig"))

    @property
    def decryption(self) -> dict[str, Any] | None:
        value = self.spec.get("decryption")
        return value if isinstance(value, dict) else None


class HelmRelease(FluxObject):
    """helm.toolkit.fluxcd.io HelmRelease (v2, v2beta2, v2beta1)."""

    group = HELM_GROUP
    kind = "HelmRelease"

    @property
    def chart_spec(self) -> dict[str, Any]:
        return _dict(_dict(self.spec.get("chart")).get("spec"))

    @property
    def chart_ref(self) -> SourceRef | None:
        return SourceRef.from_spec(self.spec.get("chartRef"), self.namespace)

    @property
    def chart_source_ref(self) -> SourceRef | None:
        return SourceRef.from_spec(self.chart_spec.get("sourceRef"), self.namespace)

    @property
    def values(self) -> dict[str, Any]:
        return _dict(self.spec.get("values"))

    @property
    def values_from(self) -> list[dict[str, Any]]:
        return [_dict(e) for e in _list(self.spec.get("valuesFrom"))]

    @property
    def depends_on(self) -> list[Dependency]:
        return _depends_on(self.spec, self.namespace)

    @property
    def release_name(self) -> str:
        explicit = _str(self.spec.get("releaseName"))
        if explicit:
            return explicit
        if self.target_namespace:
            return f"{self.target_namespace}-{self.name}"
        return self.name

    @property
    def target_namespace(self) -> str:
        return _str(self.spec.get("targetNamespace"))

    @property
    def storage_namespace(self) -> str:
        return _str(self.spec.get("storageNamespace")) or self.namespace


class GitRepository(FluxObject):
    group = SOURCE_GROUP
    kind = "GitRepository"

    @property
    def url(self) -> str:
        return _str(self.spec.get("url"))


class OCIRepository(FluxObject):
    group = SOURCE_GROUP
    kind = "OCIRepository"

    @property
    def url(self) -> str:
        return _str(self.spec.get("url"))


class HelmRepository(FluxObject):
    group = SOURCE_GROUP
    kind = "HelmRepository"

    @property
    def url(self) -> str:
        return _str(self.spec.get("url"))

    @property
    def is_oci(self) -> bool:
        return self.spec.get("type") == "oci" or self.url.startswith("oci://")


class HelmChart(FluxObject):
    group = SOURCE_GROUP
    kind = "HelmChart"


class Bucket(FluxObject):
    group = SOURCE_GROUP
    kind = "Bucket"


class ExternalArtifact(FluxObject):
    group = SOURCE_GROUP
    kind = "ExternalArtifact"


class ArtifactGenerator(FluxObject):
    """source.extensions.fluxcd.io ArtifactGenerator (Flux 2.7+): copies parts of its sources
    into ExternalArtifacts of the same namespace."""

    group = SOURCE_EXT_GROUP
    kind = "ArtifactGenerator"

    @property
    def sources(self) -> list[dict[str, Any]]:
        return [_dict(e) for e in _list(self.spec.get("sources"))]

    @property
    def artifacts(self) -> list[dict[str, Any]]:
        return [_dict(e) for e in _list(self.spec.get("artifacts"))]


class ImageRepository(FluxObject):
    group = IMAGE_GROUP
    kind = "ImageRepository"


class ImagePolicy(FluxObject):
    group = IMAGE_GROUP
    kind = "ImagePolicy"


class ImageUpdateAutomation(FluxObject):
    group = IMAGE_GROUP
    kind = "ImageUpdateAutomation"


class Alert(FluxObject):
    group = NOTIFICATION_GROUP
    kind = "Alert"


class Provider(FluxObject):
    group = NOTIFICATION_GROUP
    kind = "Provider"


class Receiver(FluxObject):
    group = NOTIFICATION_GROUP
    kind = "Receiver"


class FluxInstance(FluxObject):
    """Flux Operator's FluxInstance; `spec.sync` names the cluster entry path."""

    group = OPERATOR_GROUP
    kind = "FluxInstance"

    @property
    def sync(self) -> dict[str, Any]:
        return _dict(self.spec.get("sync"))


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
