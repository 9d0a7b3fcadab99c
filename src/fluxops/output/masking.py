"""Secret values never reach output: every renderer of objects goes through here."""

from __future__ import annotations

import base64
import copy
from typing import Any

MASK = "**SECRET**"
MASK_B64 = base64.b64encode(MASK.encode()).decode()


def mask_secret(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of `raw` with Secret values masked (keys kept). Other objects are returned as is."""
    if raw.get("kind") != "Secret" or raw.get("apiVersion") != "v1":
        return raw
    out = copy.deepcopy(raw)
    if isinstance(out.get("data"), dict):
        out["data"] = {k: MASK_B64 for k in out["data"]}
    if isinstance(out.get("stringData"), dict):
        out["stringData"] = {k: MASK for k in out["stringData"]}
    meta = out.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict):
        key = "kubectl.kubernetes.io/last-applied-configuration"
        if key in annotations:
            annotations[key] = MASK
    return out
