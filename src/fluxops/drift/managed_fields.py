"""What the live object's managedFields say: which fields Flux's field manager owns (a field
it owns but no longer sets is removed by its next apply), and which were set with kubectl
(kustomize-controller takes those over before applying). fieldsV1 trees: `f:<field>`,
`k:{<merge keys>}` for list-map items, `v:<value>` for set items, `.` for the item itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fluxops.model.kube.paths import Item, Path, format_path
from fluxops.model.kube.scalars import ABSENT, KEY_DEFAULTS, scalar_equal

_IDENTITY_METADATA = (
    "f:name",
    "f:namespace",
    "f:generateName",
    "f:creationTimestamp",
    "f:uid",
    "f:resourceVersion",
    "f:generation",
    "f:managedFields",
)


@lru_cache(maxsize=2048)
def _parse_member(key: str) -> Any:
    try:
        return json.loads(key[2:])
    except ValueError:
        return None


def owned_fields(live: Mapping[str, Any], manager: str) -> dict[str, Any] | None:
    """The union of the fieldsV1 trees `manager` owns through server-side apply on the main
    resource (not a subresource); None when the live object carries no managedFields."""
    meta = live.get("metadata")
    entries = meta.get("managedFields") if isinstance(meta, dict) else None
    if not isinstance(entries, list) or not entries:
        return None
    merged: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("subresource"):
            continue
        if entry.get("manager") != manager or entry.get("operation") != "Apply":
            continue
        fields = entry.get("fieldsV1")
        if isinstance(fields, dict):
            _merge(merged, fields)
    meta_owned = merged.get("f:metadata")
    if isinstance(meta_owned, dict):
        for key in _IDENTITY_METADATA:
            meta_owned.pop(key, None)
    return merged


def kubectl_fields(live: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fields set with kubectl (`kubectl*` and `before-first-apply` managers, Apply or
    Update, not on a subresource): kustomize-controller's cleanup hands them to itself before
    applying, so the ones the repo does not set are removed by its next apply."""
    meta = live.get("metadata")
    entries = meta.get("managedFields") if isinstance(meta, dict) else None
    if not isinstance(entries, list):
        return None
    merged: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("subresource"):
            continue
        manager = str(entry.get("manager") or "")
        if not (manager.startswith("kubectl") or manager == "before-first-apply"):
            continue
        if entry.get("operation") not in ("Apply", "Update"):
            continue
        fields = entry.get("fieldsV1")
        if isinstance(fields, dict):
            _merge(merged, fields)
    return merged or None


def not_in_desired(fields: Mapping[str, Any], desired: Any, path: Path = ()) -> list[str]:
    """Paths of a fieldsV1 tree that the desired object does not set."""
    out: list[str] = []
    for key, sub in fields.items():
        if key == ".":
            continue
        children = isinstance(sub, dict) and any(k != "." for k in sub)
        if key.startswith("f:"):
            name = key[2:]
            if isinstance(desired, dict) and name in desired:
                if children:
                    out.extend(not_in_desired(sub, desired[name], (*path, name)))
            else:
                out.append(format_path((*path, name)))
        elif key.startswith("k:"):
            member = _parse_member(key)
            if not isinstance(member, dict):
                continue
            keys = tuple(member)
            items = desired if isinstance(desired, list) else []
            index = next(
                (
                    i
                    for i, item in enumerate(items)
                    if isinstance(item, dict) and owned_member({key: {}}, item, keys) is not None
                ),
                None,
            )
            step = Item(tuple(member.items()), index if index is not None else 0)
            if index is None:
                out.append(format_path((*path, step)))
            elif children:
                out.extend(not_in_desired(sub, items[index], (*path, step)))
        elif key.startswith("v:"):
            value = _parse_member(key)
            if not (isinstance(desired, list) and value in desired):
                out.append(f"{format_path(path)} item {json.dumps(value)}")
    return out


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = json.loads(json.dumps(value)) if isinstance(value, dict) else value


def owned_member(owned: Mapping[str, Any] | None, item: Any, keys: tuple[str, ...]) -> Any:
    """The fieldsV1 subtree (`k:{...}`) of a list-map item, or None when not owned."""
    if not owned or not isinstance(item, dict):
        return None
    for key, sub in owned.items():
        if not key.startswith("k:"):
            continue
        member = _parse_member(key)
        if (
            isinstance(member, dict)
            and member
            and all(
                k in keys and scalar_equal(v, item.get(k, KEY_DEFAULTS.get(k, ABSENT)))
                for k, v in member.items()
            )
        ):
            return sub if isinstance(sub, dict) else {}
    return None


def owned_value(owned: Mapping[str, Any] | None, value: Any) -> bool:
    if not owned:
        return False
    return "v:" + json.dumps(value, separators=(",", ":")) in owned
