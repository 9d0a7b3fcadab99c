"""The verdict on one object: pure functions from the desired object, the live one (and, in
server mode, the server-side apply dry-run result) to an `ObjectDrift`.

Order of the checks, as fluxcd/pkg ssa `ResourceManager.Diff` does them: exclusion markers
(`reconcile: disabled`, `ssa: ignore`, on the desired or the live object) skip the object;
a missing live object is `missing` (Flux would create it); `ssa: IfNotPresent` skips an
object that exists; then the fields are compared, with the drift-ignore paths removed from
both sides. See docs/drift.md for every rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from fluxops.drift import secrets
from fluxops.drift.fieldwise import (
    cleanup_metadata,
    compare_fields,
    compare_full,
    handed_over_fields,
    not_in_desired,
    owned_fields,
)
from fluxops.drift.ignore import (
    CLEANUP_EXCLUSIONS,
    EXCLUSIONS,
    IF_NOT_PRESENT,
    OWNER_NAME,
    OWNER_NAMESPACE,
    PRUNE_EXCLUSIONS,
    IgnoreRule,
    ignored_paths,
    labels_of,
    matching_marker,
    without_paths,
)
from fluxops.drift.normalize import (
    SERVER_METADATA,
    flux_normalize,
    is_secret,
    prepare_desired,
    strip_server_fields,
)
from fluxops.drift.schema import SchemaRegistry
from fluxops.drift.verdicts import SECRET_MASK, Difference, ObjectDrift
from fluxops.model.identity import ObjectId


@dataclass
class CompareOptions:
    """How one owner's objects are compared."""

    mode: str = "fields"  # "fields" | "server"
    owner: str = ""
    field_manager: str = "kustomize-controller"
    exclusions: dict[str, str] = field(default_factory=lambda: dict(EXCLUSIONS))
    if_not_present: dict[str, str] = field(default_factory=lambda: dict(IF_NOT_PRESENT))
    ignore_rules: list[IgnoreRule] = field(default_factory=list)
    #: False when live Secrets hold no values (a snapshot): Secrets compared by key names
    secret_values: bool = True
    #: keep the masked renderings of drifted objects (for unified diffs)
    views: bool = True
    #: the Kustomization's spec.force: immutable changes are applied by recreating
    force: bool = False
    #: labels/annotations only on the live side are not drift (helm-controller's jsondiff)
    ignore_metadata_removals: bool = False
    #: the controller's `--override-manager` names: their fields are handed over too
    override_managers: tuple[str, ...] = ()


def object_id(raw: dict[str, Any], namespace: str | None = None) -> ObjectId:
    oid = ObjectId.of(raw)
    if namespace is not None and namespace != oid.namespace:
        oid = ObjectId(oid.group, oid.kind, namespace, oid.name, oid.version)
    return oid


def skipped_by(desired: dict[str, Any], live: dict[str, Any] | None, opts: CompareOptions) -> str:
    """Why Flux leaves the object alone, or "" when it does not."""
    marker = matching_marker(desired, opts.exclusions)
    if marker:
        return f"{marker} (in the repo)"
    marker = matching_marker(live, opts.exclusions) if live is not None else None
    if marker:
        return f"{marker} (on the live object)"
    if live is not None:
        marker = matching_marker(desired, opts.if_not_present)
        if marker:
            return f"{marker}: the object exists, Flux does not update it"
    return ""


def _verdict(
    oid: ObjectId,
    opts: CompareOptions,
    diffs: list[Difference],
    desired_view: dict[str, Any] | None,
    live_view: dict[str, Any] | None,
    secret: bool,
    secret_keys: list[tuple[str, str]] | None,
    notes: list[str],
) -> ObjectDrift:
    if secret:
        diffs = secrets.mask_differences(diffs)
        desired_view, live_view = secrets.mask_views(
            desired_view, live_view, by_value=opts.secret_values
        )
    drifted = bool(diffs)
    return ObjectDrift(
        id=oid,
        owner=opts.owner,
        verdict="drifted" if drifted else "in-sync",
        differences=diffs,
        secret_keys=secret_keys,
        desired_view=desired_view if drifted and opts.views else None,
        live_view=live_view if drifted and opts.views else None,
        notes=notes,
    )


def _secret_by_name(
    desired: dict[str, Any], live: dict[str, Any], reason: str
) -> tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]], list[Difference], str]:
    """Drop the values of both Secrets; compare their keys by name."""
    d_keys, l_keys = secrets.data_keys(desired), secrets.data_keys(live)
    diffs = [
        Difference(f'data["{k}"]', f"/data/{k}", "missing", SECRET_MASK, secret=True)
        for k in sorted(d_keys - l_keys)
    ]
    keys = [(k, "missing") for k in sorted(d_keys - l_keys)]
    keys += [(k, "compared by name") for k in sorted(d_keys & l_keys)]
    keys += [(k, "unexpected") for k in sorted(l_keys - d_keys)]
    d = {k: v for k, v in desired.items() if k not in (*secrets.DATA_FIELDS, "sops")}
    lv = {k: v for k, v in live.items() if k not in secrets.DATA_FIELDS}
    return d, lv, sorted(keys), diffs, reason


def compare_object(
    desired_raw: dict[str, Any],
    live: dict[str, Any] | None,
    schemas: SchemaRegistry,
    opts: CompareOptions,
    *,
    namespace: str | None = None,
    merged: dict[str, Any] | None = None,
    skip: list[str] | None = None,
) -> ObjectDrift:
    """The verdict on one desired object. `live` None: the object does not exist. In server
    mode `merged` is the dry-run result (required when `live` exists). `skip`: pointers not
    compared (removed from both sides, like drift-ignore paths)."""
    oid = object_id(desired_raw, namespace)
    reason = skipped_by(desired_raw, live, opts)
    if reason:
        return ObjectDrift(id=oid, owner=opts.owner, verdict="skipped", reason=reason)
    if live is None:
        return ObjectDrift(id=oid, owner=opts.owner, verdict="missing")
    node = schemas.node(oid.group, oid.version, oid.kind)
    secret = is_secret(desired_raw)
    notes: list[str] = []
    extra_diffs: list[Difference] = []
    secret_keys: list[tuple[str, str]] | None = None
    desired_in, live_in = desired_raw, live
    if secret and (secrets.is_sops_encrypted(desired_raw) or not opts.secret_values):
        why = (
            "SOPS-encrypted in the repo: keys compared by name only"
            if secrets.is_sops_encrypted(desired_raw)
            else "the snapshot holds no Secret values: keys compared by name only"
        )
        desired_in, live_in, secret_keys, extra_diffs, note = _secret_by_name(
            desired_raw, live, why
        )
        notes.append(note)
        merged = None if merged is None else {k: v for k, v in merged.items() if k != "data"}
    if opts.field_manager == "kustomize-controller":
        notes.extend(cleanup_notes(desired_in, live, node, opts))
    if opts.mode == "server" and merged is not None:
        return _compare_server(
            oid, live_in, merged, node, opts, secret, notes, secret_keys, extra_diffs, skip or []
        )
    ignore = ignored_paths(opts.ignore_rules, desired_raw) + (skip or [])
    prepared, pruned = prepare_desired(desired_in, node)
    notes.extend(
        f"{path} is not in the schema of {oid.kind} {oid.api_version}: the API server drops it"
        for path in pruned
    )
    prepared = without_paths(prepared, ignore)
    live_cmp = without_paths(live_in, ignore)
    owned = owned_fields(live, opts.field_manager)
    diffs, projected = compare_fields(prepared, live_cmp, node, owned, project=opts.views)
    diffs = extra_diffs + diffs
    if secret and secret_keys is None:
        secret_keys = secrets.key_states(
            _data_of(flux_normalize(desired_in)), _data_of(live_in), by_value=True
        )
    return _verdict(oid, opts, diffs, prepared, projected, secret, secret_keys, notes)


def cleanup_notes(
    desired: dict[str, Any], live: dict[str, Any], node: Any, opts: CompareOptions
) -> list[str]:
    """What kustomize-controller's metadata cleanup changes before its next apply (fluxcd/pkg
    ssa `cleanupMetadata`): fields of the managers it hands to itself that the repo does not
    set (the apply then removes them), and the kubectl / legacy Flux annotations and labels it
    deletes. Nothing for objects marked `ssa: Merge` (on either side): the cleanup skips them."""
    if matching_marker(desired, CLEANUP_EXCLUSIONS) or matching_marker(live, CLEANUP_EXCLUSIONS):
        return []
    notes: list[str] = []
    found = handed_over_fields(live, opts.override_managers)
    if found:
        tree, managers = found
        shown, _ = prepare_desired(desired, node)
        who = ", ".join(managers)
        for path in not_in_desired(tree, shown):
            if "last-applied-configuration" in path:
                continue
            notes.append(
                f"{path} was set by {who} and is not in the repo: kustomize-controller takes "
                "over those fields and removes it on its next apply (flux diff does not show "
                "this)"
            )
    for path in cleanup_metadata(live, desired):
        notes.append(
            f"{path} is removed by kustomize-controller's metadata cleanup on its next apply"
        )
    return notes


def _data_of(raw: dict[str, Any]) -> dict[str, Any]:
    data = raw.get("data")
    return data if isinstance(data, dict) else {}


def _for_diff(obj: dict[str, Any]) -> dict[str, Any]:
    """What `hasDrifted` compares: labels, annotations and everything but metadata/status."""
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k not in ("metadata", "status")}
    meta_value = obj.get("metadata")
    meta: dict[str, Any] = meta_value if isinstance(meta_value, dict) else {}
    slim = {k: copy.deepcopy(meta[k]) for k in ("labels", "annotations") if meta.get(k)}
    if slim:
        out["metadata"] = slim
    if obj.get("kind") == "HorizontalPodAutoscaler":
        _dedupe_metrics(out)
    return out


def _dedupe_metrics(obj: dict[str, Any]) -> None:
    """fluxcd/pkg normalize.DryRunUnstructured: HPA metrics deduplicated, untyped dropped."""
    spec = obj.get("spec")
    metrics = spec.get("metrics") if isinstance(spec, dict) else None
    if isinstance(spec, dict) and isinstance(metrics, list):
        kept: list[Any] = []
        for metric in metrics:
            if metric not in kept and isinstance(metric, dict) and metric.get("type"):
                kept.append(metric)
        spec["metrics"] = kept


def _compare_server(
    oid: ObjectId,
    live: dict[str, Any],
    merged: dict[str, Any],
    node: Any,
    opts: CompareOptions,
    secret: bool,
    notes: list[str],
    secret_keys: list[tuple[str, str]] | None,
    extra_diffs: list[Difference],
    skip: list[str],
) -> ObjectDrift:
    ignore = ignored_paths(opts.ignore_rules, merged) + skip
    merged_cmp = without_paths(_for_diff(merged), ignore)
    live_cmp = without_paths(_for_diff(live), ignore)
    diffs = extra_diffs + compare_full(merged_cmp, live_cmp, node)
    if opts.ignore_metadata_removals:
        diffs = [
            d
            for d in diffs
            if not (
                d.op == "unexpected"
                and d.pointer.startswith(("/metadata/labels/", "/metadata/annotations/"))
            )
        ]
    if secret and secret_keys is None:
        secret_keys = secrets.key_states(_data_of(merged), _data_of(live), by_value=True)
    views = (
        without_paths(_view(merged), ignore),
        without_paths(_view(live), ignore),
    )
    return _verdict(oid, opts, diffs, views[0], views[1], secret, secret_keys, notes)


def _view(obj: dict[str, Any]) -> dict[str, Any]:
    out = strip_server_fields(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
    return out


# -- orphans ----------------------------------------------------------------------------------


def owner_labels_match(live: dict[str, Any], owner_namespace: str, owner_name: str) -> bool:
    labels = labels_of(live)
    return labels.get(OWNER_NAME) == owner_name and labels.get(OWNER_NAMESPACE) == owner_namespace


def orphan(
    live: dict[str, Any],
    owner: str,
    *,
    owner_namespace: str,
    owner_name: str,
    in_inventory: bool,
    prune_enabled: bool,
) -> ObjectDrift:
    """A live object of this Kustomization that it no longer renders, and what Flux does with
    it (kustomize-controller prunes inventory entries that still carry the owner labels and no
    prune/reconcile/ssa opt-out, when `spec.prune` is true)."""
    oid = ObjectId.of(live)
    marker = matching_marker(live, PRUNE_EXCLUSIONS)
    if marker:
        prune, reason = "keep-annotated", f"kept: {marker}"
    elif not in_inventory:
        prune = "keep"
        reason = (
            "carries the owner labels but is not in the Kustomization's inventory: "
            "Flux does not prune it"
        )
    elif not prune_enabled:
        prune, reason = "keep", "spec.prune is false: Flux leaves it in the cluster"
    elif not owner_labels_match(live, owner_namespace, owner_name):
        prune = "keep"
        reason = "in the inventory, but its owner labels were changed: Flux does not prune it"
    else:
        prune, reason = "prune", "no longer rendered: Flux deletes it on the next reconciliation"
    return ObjectDrift(id=oid, owner=owner, verdict="orphaned", reason=reason, prune=prune)
