"""helm-controller's HelmRelease (`helm.toolkit.fluxcd.io`), across its API versions."""

from __future__ import annotations

from typing import Any

from fluxops.model.flux.base import (
    Dependency,
    FluxObject,
    SourceRef,
    _depends_on,
    _dict,
    _list,
    _str,
)
from fluxops.model.flux.groups import HELM_GROUP


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
