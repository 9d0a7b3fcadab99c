"""The source kinds (source-controller, and source-watcher's ArtifactGenerator)."""

from __future__ import annotations

from typing import Any

from fluxops.model.flux.base import FluxObject, _dict, _list, _str
from fluxops.model.flux.groups import SOURCE_EXT_GROUP, SOURCE_GROUP


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
