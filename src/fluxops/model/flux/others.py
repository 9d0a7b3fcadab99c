"""Image automation, notification and the Flux Operator's FluxInstance."""

from __future__ import annotations

from typing import Any

from fluxops.model.flux.base import FluxObject, _dict
from fluxops.model.flux.groups import IMAGE_GROUP, NOTIFICATION_GROUP, OPERATOR_GROUP


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
