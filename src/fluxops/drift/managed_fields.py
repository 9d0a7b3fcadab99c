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


#: kustomize-controller's metadata cleanup before each apply (fluxcd/kustomize-controller
#: `apply`, fluxcd/pkg ssa `PatchReplaceFieldsManagers`): managedFields entries whose manager
#: name starts with the prefix, with that operation, on the main resource, are renamed to the
#: controller's own Apply entry: the fields they own become Flux's, and the next apply removes
#: those the repo does not set. `--override-manager NAME` adds NAME with both operations.
HANDED_OVER: tuple[tuple[str, str], ...] = (
    ("kubectl", "Apply"),  # kubectl apply --server-side --force-conflicts
    ("kubectl", "Update"),  # kubectl apply (client side), edit, label, scale...
    ("before-first-apply", "Update"),
    ("kustomize-controller", "Update"),  # the controller before server-side apply
)
#: metadata the cleanup removes from the live object (annotations, labels).
CLEANUP_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "kustomize.toolkit.fluxcd.io/checksum",
    "fluxcd.io/sync-checksum",
)
CLEANUP_LABELS = ("fluxcd.io/sync-gc-mark",)


def handover_rules(override_managers: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """The (manager prefix, operation) pairs the controller hands to itself."""
    extra = tuple((m, op) for m in override_managers for op in ("Apply", "Update"))
    return HANDED_OVER + extra


def handed_over_fields(
    live: Mapping[str, Any], override_managers: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[str]] | None:
    """The fields kustomize-controller's cleanup hands to itself before applying, and the
    managers they come from; None when there are none. Matching as the controller matches:
    the manager name starts with the prefix, the operation is the rule's, no subresource."""
    meta = live.get("metadata")
    entries = meta.get("managedFields") if isinstance(meta, dict) else None
    if not isinstance(entries, list):
        return None
    rules = handover_rules(override_managers)
    merged: dict[str, Any] = {}
    managers: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("subresource"):
            continue
        manager = str(entry.get("manager") or "")
        operation = entry.get("operation")
        if not any(manager.startswith(p) and operation == op for p, op in rules):
            continue
        fields = entry.get("fieldsV1")
        if isinstance(fields, dict):
            _merge(merged, fields)
            if manager not in managers:
                managers.append(manager)
    return (merged, managers) if merged else None


def kubectl_fields(live: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fields kustomize-controller's cleanup takes over (no `--override-manager`)."""
    found = handed_over_fields(live)
    return found[0] if found else None


def cleanup_metadata(live: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    """The annotations and labels the cleanup removes (and the repo does not set)."""
    out: list[str] = []
    for field_name, keys in (("annotations", CLEANUP_ANNOTATIONS), ("labels", CLEANUP_LABELS)):
        live_meta = live.get("metadata")
        have = live_meta.get(field_name) if isinstance(live_meta, dict) else None
        desired_meta = desired.get("metadata")
        want = desired_meta.get(field_name) if isinstance(desired_meta, dict) else None
        for key in keys:
            if (
                isinstance(have, dict)
                and key in have
                and not (isinstance(want, dict) and key in want)
            ):
                out.append(f"metadata.{field_name}.{key}")
    return out


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
