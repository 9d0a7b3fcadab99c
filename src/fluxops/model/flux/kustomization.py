"""kustomize-controller's Kustomization (`kustomize.toolkit.fluxcd.io`), across its API versions."""

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
from fluxops.model.flux.groups import KUSTOMIZE_GROUP


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
