"""Fields the API server refuses to change once an object exists, so that fields mode can say
what server mode learns from the dry run: the apply would fail (an `error`, exit 2), unless
Flux may recreate the object (`spec.force: true` on the Kustomization, or the
`kustomize.toolkit.fluxcd.io/force: enabled` marker), which is then `drifted`.

Well-known paths only (the validation of the built-in kinds); custom kinds' CEL rules
(`self == oldSelf`) are not read, server mode sees those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fluxops.drift.ignore import FORCE_SELECTOR, matching_marker
from fluxops.drift.verdicts import Difference, ObjectDrift

_WORKLOAD_SELECTOR = ("/spec/selector",)

#: (group, kind) -> pointers under which any change is refused
IMMUTABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): _WORKLOAD_SELECTOR,
    ("apps", "DaemonSet"): _WORKLOAD_SELECTOR,
    ("apps", "ReplicaSet"): _WORKLOAD_SELECTOR,
    ("apps", "StatefulSet"): (
        "/spec/selector",
        "/spec/volumeClaimTemplates",
        "/spec/serviceName",
        "/spec/podManagementPolicy",
    ),
    ("batch", "Job"): ("/spec/selector", "/spec/template", "/spec/completionMode"),
    ("", "PersistentVolumeClaim"): (
        "/spec/storageClassName",
        "/spec/volumeName",
        "/spec/accessModes",
        "/spec/selector",
        "/spec/volumeMode",
        "/spec/dataSource",
        "/spec/dataSourceRef",
    ),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("/roleRef",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("/roleRef",),
}

#: changed only when the repo sets them (the server allocates them otherwise)
_SET_ONLY: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Service"): ("/spec/clusterIP", "/spec/clusterIPs"),
}

_DATA = ("/data", "/binaryData", "/stringData")


def _under(pointer: str, roots: Iterable[str]) -> bool:
    return any(pointer == r or pointer.startswith(r + "/") for r in roots)


def immutable_change(
    group: str, kind: str, differences: list[Difference], live: Mapping[str, Any]
) -> str | None:
    """The path of the first difference the API server would refuse to apply, or None."""
    roots = IMMUTABLE.get((group, kind), ())
    set_only = _SET_ONLY.get((group, kind), ())
    locked = group == "" and kind in ("Secret", "ConfigMap") and live.get("immutable") is True
    for diff in differences:
        if _under(diff.pointer, roots):
            return diff.path
        if diff.op != "unexpected" and _under(diff.pointer, set_only):
            return diff.path
        if locked and (_under(diff.pointer, _DATA) or diff.pointer == "/immutable"):
            return f"{diff.path} (the live {kind} is immutable: true)"
    return None


def judge_immutable(
    drift: ObjectDrift, desired: Mapping[str, Any], live: Mapping[str, Any], *, force: bool
) -> None:
    """Fields mode: a drifted object whose change the API server refuses becomes an `error`
    (the apply fails), or stays `drifted` with the reason when Flux may recreate it (`force`:
    the Kustomization's spec.force, or the force marker on either side)."""
    path = immutable_change(drift.id.group, drift.id.kind, drift.differences, live)
    if path is None:
        return
    if force or matching_marker(desired, FORCE_SELECTOR) or matching_marker(live, FORCE_SELECTOR):
        drift.reason = (
            f"an immutable field changed ({path}): Flux deletes and recreates the object (force)"
        )
        return
    drift.verdict = "error"
    drift.reason = (
        f"{path} is immutable: the apply would fail (set spec.force: true on the Kustomization, "
        "or the kustomize.toolkit.fluxcd.io/force: enabled annotation, to let Flux recreate it)"
    )
