"""`fluxops drift --helm`: compare a HelmRelease's live objects with its Helm release storage.

helm-controller's drift detection (internal/action/diff.go) reads the release manifest, sets
the metadata Helm sets on create (`app.kubernetes.io/managed-by: Helm`,
`meta.helm.sh/release-name` and `-namespace`), puts namespaced objects without a namespace in
the release namespace, and compares by server-side apply dry run as `helm-controller`, with
`spec.driftDetection.ignore` rules; `helm.toolkit.fluxcd.io/driftDetection: disabled` on an
object excludes it, and labels or annotations only on the live side are not drift.
"""

from __future__ import annotations

import copy

from fluxops.drift.compare import CompareOptions
from fluxops.drift.helm_storage import (
    HelmStorageError,
    decode_release,
    latest_deployed,
    manifest_objects,
)
from fluxops.drift.ignore import HELM_EXCLUSIONS, parse_ignore_rules
from fluxops.drift.plan import Obj, OwnerPlan, Scope, desired_object
from fluxops.drift.verdicts import OwnerSummary
from fluxops.model.resource import Resource


def plan_helm(
    release: Resource,
    storage: list[Obj],
    scope_of: Scope,
    *,
    mode: str,
    secret_values: bool = True,
) -> OwnerPlan:
    """The objects of the latest deployed release of one HelmRelease, as helm-controller's
    drift detection compares them (Helm's metadata added, field manager `helm-controller`,
    `spec.driftDetection.ignore` rules, `helm.toolkit.fluxcd.io/driftDetection: disabled`)."""
    summary = OwnerSummary(kind="HelmRelease", ref=f"{release.namespace}/{release.name}")
    options = CompareOptions(
        mode=mode,
        owner=summary.label,
        field_manager="helm-controller",
        exclusions=dict(HELM_EXCLUSIONS),
        if_not_present={},
        secret_values=secret_values,
        ignore_metadata_removals=True,
    )
    plan = OwnerPlan(summary=summary, options=options)
    detection = release.spec.get("driftDetection")
    detection = detection if isinstance(detection, dict) else {}
    try:
        options.ignore_rules = parse_ignore_rules(
            detection.get("ignore"), "spec.driftDetection.ignore"
        )
    except ValueError as exc:
        summary.status, summary.error = "failed", str(exc)
        return plan
    mode_setting = str(detection.get("mode") or "disabled")
    summary.notes.append(f"spec.driftDetection.mode: {mode_setting}")
    secret = latest_deployed(storage)
    if secret is None:
        summary.status = "skipped"
        summary.notes.append("no deployed Helm release in the cluster (nothing to compare)")
        return plan
    try:
        release_doc = decode_release(secret)
        objects = manifest_objects(release_doc)
    except HelmStorageError as exc:
        summary.status, summary.error = "failed", f"Helm release storage: {exc}"
        return plan
    name = str(release_doc.get("name") or "")
    namespace = str(release_doc.get("namespace") or release.namespace)
    summary.notes.append(f"Helm release {namespace}/{name} v{release_doc.get('version', '?')}")
    for raw in objects:
        raw = copy.deepcopy(raw)
        meta = raw.setdefault("metadata", {})
        meta.setdefault("labels", {})["app.kubernetes.io/managed-by"] = "Helm"
        annotations = meta.setdefault("annotations", {})
        annotations["meta.helm.sh/release-name"] = name
        annotations["meta.helm.sh/release-namespace"] = namespace
        plan.desired.append(desired_object(raw, scope_of, namespace))
    return plan
