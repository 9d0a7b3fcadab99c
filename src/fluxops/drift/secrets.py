"""Secret values never leave drift: keys are listed, values masked.

- A changed key shows `*** (desired)` against `*** (live)`, an unchanged one `***` on both sides
  (as fluxcd/pkg ssa `SanitizeUnstructuredData` does with before/after), a key on one side only
  `***`.
- A SOPS-encrypted Secret in the repo (a `sops` stanza with an encrypted `mac`, or `ENC[...]`
  values) cannot be compared by value: its keys are compared by name only, as `flux diff` does.
- Live Secrets read from a snapshot hold no values (`fluxops.cluster.snapshot` drops them on
  load): keys are compared by name only there too.
"""

from __future__ import annotations

import base64
import copy
import re
from typing import Any

from fluxops.drift.verdicts import (
    SECRET_MASK,
    SECRET_MASK_DESIRED,
    SECRET_MASK_LIVE,
    Difference,
)
from fluxops.model.kube.scalars import ABSENT, scalar_equal
from fluxops.model.kube.schema import Node

DATA_FIELDS = ("data", "stringData")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_BYTES = Node(kind="scalar", byte=True)


def is_sops_encrypted(raw: dict[str, Any]) -> bool:
    """As the Flux CLI's `maskSopsData` decides: a `sops` stanza with an encrypted mac, or any
    data/stringData value that carries `ENC[` (values encrypted one by one)."""
    sops = raw.get("sops")
    if isinstance(sops, dict) and "ENC[" in str(sops.get("mac", "")):
        return True
    for field in DATA_FIELDS:
        values = raw.get(field)
        if isinstance(values, dict):
            for value in values.values():
                if isinstance(value, str) and "ENC[" in value:
                    return True
    return False


def data_keys(raw: dict[str, Any] | None) -> set[str]:
    keys: set[str] = set()
    for field in DATA_FIELDS:
        values = (raw or {}).get(field)
        if isinstance(values, dict):
            keys.update(str(k) for k in values)
    return keys


def key_states(
    desired: dict[str, Any], live: dict[str, Any], *, by_value: bool
) -> list[tuple[str, str]]:
    """Per key: unchanged, changed, missing (desired only), unexpected (live only), or
    `compared by name` when values cannot be compared. `desired` and `live` are `data` maps
    (base64); no value is returned."""
    out = []
    for key in sorted(set(desired) | set(live)):
        if key not in live:
            out.append((key, "missing"))
        elif key not in desired:
            out.append((key, "unexpected"))
        elif not by_value:
            out.append((key, "compared by name"))
        elif scalar_equal(desired[key], live[key], _BYTES):
            out.append((key, "unchanged"))
        else:
            out.append((key, "changed"))
    return out


def mask_views(
    desired: dict[str, Any] | None, live: dict[str, Any] | None, *, by_value: bool = True
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Copies of two renderings of a Secret with every data value masked and the
    last-applied annotation hidden."""
    d = copy.deepcopy(desired) if desired is not None else None
    lv = copy.deepcopy(live) if live is not None else None
    d_data = _data(d)
    l_data = _data(lv)
    for key in set(d_data) | set(l_data):
        if key in d_data and key in l_data:
            same = not by_value or scalar_equal(d_data[key], l_data[key], _BYTES)
            d_data[key] = SECRET_MASK if same else SECRET_MASK_DESIRED
            l_data[key] = SECRET_MASK if same else SECRET_MASK_LIVE
        elif key in d_data:
            d_data[key] = SECRET_MASK
        else:
            l_data[key] = SECRET_MASK
    for view, data in ((d, d_data), (lv, l_data)):
        if view is not None:
            if data or "data" in view:
                view["data"] = data
            view.pop("stringData", None)
            view.pop("sops", None)
            _hide_last_applied(view)
    return d, lv


def _data(view: dict[str, Any] | None) -> dict[str, Any]:
    if view is None:
        return {}
    out: dict[str, Any] = {}
    for field in DATA_FIELDS:
        values = view.get(field)
        if isinstance(values, dict):
            for key, value in values.items():
                if field == "stringData" and isinstance(value, str):
                    value = base64.b64encode(value.encode()).decode()
                out[str(key)] = value
    return out


def _hide_last_applied(view: dict[str, Any]) -> None:
    meta = view.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        annotations[LAST_APPLIED] = SECRET_MASK


def _mask_value(value: Any) -> Any:
    if value is ABSENT:
        return ABSENT
    if isinstance(value, dict):
        return {k: SECRET_MASK for k in value}
    return SECRET_MASK


def mask_differences(diffs: list[Difference]) -> list[Difference]:
    """Differences of a Secret with values under data/stringData (and the last-applied
    annotation) masked; other fields (labels, type) are shown as they are."""
    out = []
    for diff in diffs:
        top = diff.pointer.split("/")[1] if diff.pointer.startswith("/") else ""
        hidden = (
            top in DATA_FIELDS
            or diff.pointer in ("", "/metadata", "/metadata/annotations")
            or diff.pointer.endswith("/last-applied-configuration")
        )
        if hidden:
            desired, live = _mask_value(diff.desired), _mask_value(diff.live)
            if desired == live and desired is not ABSENT and not isinstance(desired, dict):
                desired, live = SECRET_MASK_DESIRED, SECRET_MASK_LIVE
            out.append(Difference(diff.path, diff.pointer, diff.op, desired, live, secret=True))
        else:
            out.append(diff)
    return out


def scrub(message: str, *secrets: dict[str, Any] | None) -> str:
    """`message` with any Secret value of the given objects (encoded or decoded) replaced."""
    values: set[str] = set()
    for raw in secrets:
        for field in DATA_FIELDS:
            data = (raw or {}).get(field)
            if not isinstance(data, dict):
                continue
            for value in data.values():
                if isinstance(value, str) and len(value) >= 3:
                    values.add(value)
                    try:
                        decoded = base64.b64decode(value, validate=True).decode()
                    except (ValueError, UnicodeDecodeError):
                        continue
                    if len(decoded) >= 3:
                        values.add(decoded)
    for value in sorted(values, key=len, reverse=True):
        message = message.replace(value, SECRET_MASK)
    return re.sub(r"(last-applied-configuration[\"']?:\s*)\S+", r"\1" + SECRET_MASK, message)
