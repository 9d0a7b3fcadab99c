"""The health of any Kubernetes object, as kstatus (sigs.k8s.io/cli-utils) computes it, which
is what kustomize-controller's health checks and `wait: true` use.

`health(obj)` answers `Current` (healthy), `InProgress`, `Failed`, `Terminating` or, for an
inventory entry that is not in the cluster, `NotFound` (`missing()`), with kstatus' message:

- any object: deletionTimestamp set -> Terminating; generation not yet observed -> InProgress;
  conditions `Stalled=True` -> Failed, `Reconciling=True` -> InProgress; Flux objects (and
  anything with a `Ready` condition) `Ready=False` -> Failed, `Ready=Unknown` -> InProgress;
- Deployment: ProgressDeadlineExceeded -> Failed; else InProgress until the new ReplicaSet is
  available and updated, available and ready replicas reach spec.replicas (default 1);
- StatefulSet, DaemonSet, ReplicaSet: their replica counters; Job: Failed/Complete
  conditions; Pod: phase, readiness and CrashLoopBackOff; PersistentVolumeClaim: Bound;
  Service of type LoadBalancer: an ingress address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fluxops.status.accessors import d, n, s

CURRENT = "Current"
IN_PROGRESS = "InProgress"
FAILED = "Failed"
TERMINATING = "Terminating"
NOT_FOUND = "NotFound"


@dataclass(frozen=True)
class Health:
    status: str
    message: str = ""

    @property
    def healthy(self) -> bool:
        return self.status == CURRENT


def missing() -> Health:
    return Health(NOT_FOUND, "in the inventory but not in the cluster")


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for cond in d(obj.get("status")).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type"):
            out[s(cond.get("type"))] = cond
    return out


def _count(st: dict[str, Any], key: str) -> int:
    return n(st.get(key)) or 0


def health(obj: dict[str, Any]) -> Health:
    """kstatus' verdict on one object."""
    meta = d(obj.get("metadata"))
    st = d(obj.get("status"))
    kind = s(obj.get("kind"))
    if meta.get("deletionTimestamp"):
        return Health(TERMINATING, "resource scheduled for deletion")
    generation = n(meta.get("generation"))
    observed = n(st.get("observedGeneration"))
    if generation is not None and observed is not None and observed < generation:
        return Health(
            IN_PROGRESS,
            f"{kind} generation is {generation}, but latest observed generation is {observed}",
        )
    conds = _conditions(obj)
    stalled = conds.get("Stalled")
    if stalled and stalled.get("status") == "True":
        return Health(FAILED, s(stalled.get("message")) or s(stalled.get("reason")))
    reconciling = conds.get("Reconciling")
    if reconciling and reconciling.get("status") == "True":
        return Health(IN_PROGRESS, s(reconciling.get("message")) or "reconciling")
    special = _KINDS.get(kind)
    group = s(obj.get("apiVersion")).rpartition("/")[0]
    if special is not None and group in _CORE_GROUPS:
        return special(obj, st, conds)
    ready = conds.get("Ready")
    if ready is not None:
        message = s(ready.get("message")) or s(ready.get("reason"))
        if ready.get("status") == "False":
            return Health(FAILED, message)
        if ready.get("status") != "True":
            return Health(IN_PROGRESS, message or "Ready is Unknown")
    return Health(CURRENT, "")


def _deployment(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    spec = d(obj.get("spec"))
    want = n(spec.get("replicas"))
    want = 1 if want is None else want
    progressing = available = False
    for cond in conds.values():
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                return Health(FAILED, "Progress deadline exceeded")
            if cond.get("status") == "True" and cond.get("reason") == "NewReplicaSetAvailable":
                progressing = True
        if cond.get("type") == "Available" and cond.get("status") == "True":
            available = True
    replicas, updated = _count(st, "replicas"), _count(st, "updatedReplicas")
    ready, avail = _count(st, "readyReplicas"), _count(st, "availableReplicas")
    if not progressing:
        return Health(IN_PROGRESS, "ReplicaSet not Available")
    if want > replicas:
        return Health(IN_PROGRESS, f"Replicas: {replicas}/{want}")
    if updated < want:
        return Health(IN_PROGRESS, f"Updated: {updated}/{want}")
    if replicas > updated:
        return Health(IN_PROGRESS, f"Pending termination: {replicas - updated}")
    if avail < want:
        return Health(IN_PROGRESS, f"Available: {avail}/{want}")
    if ready < want:
        return Health(IN_PROGRESS, f"Ready: {ready}/{want}")
    if not available:
        return Health(IN_PROGRESS, "Deployment not Available")
    return Health(CURRENT, f"Deployment is available. Replicas: {replicas}")


def _statefulset(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    spec = d(obj.get("spec"))
    if s(d(spec.get("updateStrategy")).get("type")) == "OnDelete":
        return Health(CURRENT, "StatefulSet is using the OnDelete update strategy")
    want = n(spec.get("replicas"))
    want = 1 if want is None else want
    if want > _count(st, "replicas"):
        return Health(IN_PROGRESS, f"Replicas: {_count(st, 'replicas')}/{want}")
    if want > _count(st, "readyReplicas"):
        return Health(IN_PROGRESS, f"Ready: {_count(st, 'readyReplicas')}/{want}")
    if want > _count(st, "currentReplicas") and _count(st, "updatedReplicas") < want:
        return Health(IN_PROGRESS, f"Updated: {_count(st, 'updatedReplicas')}/{want}")
    if st.get("updateRevision") and st.get("currentRevision") != st.get("updateRevision"):
        return Health(IN_PROGRESS, f"Waiting for updated revision {st.get('updateRevision')}")
    return Health(CURRENT, f"All replicas scheduled as expected. Replicas: {want}")


def _daemonset(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    want = _count(st, "desiredNumberScheduled")
    for key, label in (
        ("currentNumberScheduled", "Current"),
        ("updatedNumberScheduled", "Updated"),
        ("numberAvailable", "Available"),
        ("numberReady", "Ready"),
    ):
        if want > _count(st, key):
            return Health(IN_PROGRESS, f"{label}: {_count(st, key)}/{want}")
    return Health(CURRENT, f"All replicas scheduled as expected. Replicas: {want}")


def _replicaset(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    want = n(d(obj.get("spec")).get("replicas"))
    want = 1 if want is None else want
    failure = conds.get("ReplicaFailure")
    if failure and failure.get("status") == "True":
        return Health(IN_PROGRESS, "Replica Failure condition. Check Pods")
    for key, label in (
        ("labeledReplicas", "Labelled"),
        ("availableReplicas", "Available"),
        ("readyReplicas", "Ready"),
    ):
        if want > _count(st, key):
            return Health(IN_PROGRESS, f"{label}: {_count(st, key)}/{want}")
    return Health(CURRENT, f"ReplicaSet is available. Replicas: {want}")


def _job(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    for type_, verdict in (("Failed", FAILED), ("Complete", CURRENT)):
        cond = conds.get(type_)
        if cond and cond.get("status") == "True":
            return Health(verdict, s(cond.get("message")) or f"Job {type_}")
    return Health(IN_PROGRESS, f"Job in progress. success: {_count(st, 'succeeded')}")


def _pod(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    phase = s(st.get("phase"))
    if phase == "Succeeded":
        return Health(CURRENT, "Pod has completed successfully")
    if phase == "Failed":
        return Health(FAILED, "Pod has completed, but not successfully")
    for cs in st.get("containerStatuses") or []:
        waiting = d(d(cs).get("state")).get("waiting")
        if isinstance(waiting, dict) and waiting.get("reason") == "CrashLoopBackOff":
            return Health(FAILED, f"Pod container {s(d(cs).get('name'))} is in CrashLoopBackOff")
    ready = conds.get("Ready")
    if phase == "Running" and ready and ready.get("status") == "True":
        return Health(CURRENT, "Pod is Ready")
    return Health(IN_PROGRESS, f"Pod phase {phase or 'unknown'}, not ready")


def _pvc(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    if s(st.get("phase")) != "Bound":
        return Health(IN_PROGRESS, "PVC is not Bound")
    return Health(CURRENT, "PVC is Bound")


def _service(obj: dict[str, Any], st: dict[str, Any], conds: dict[str, Any]) -> Health:
    lb = s(d(obj.get("spec")).get("type")) == "LoadBalancer"
    if lb and not d(st.get("loadBalancer")).get("ingress"):
        return Health(IN_PROGRESS, "ClusterIP not set")
    return Health(CURRENT, "Service is ready")


_CORE_GROUPS = frozenset({"", "apps", "batch"})
_KINDS = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "Job": _job,
    "Pod": _pod,
    "PersistentVolumeClaim": _pvc,
    "Service": _service,
}
