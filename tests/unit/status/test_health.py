"""kstatus verdicts on inventory objects (fluxops.status.health)."""

from __future__ import annotations

from typing import Any

import pytest

from fluxops.status.health import (
    CURRENT,
    FAILED,
    IN_PROGRESS,
    NOT_FOUND,
    TERMINATING,
    health,
    missing,
)


def obj(api_version: str, kind: str, status: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "ns", "generation": 1},
        "spec": spec,
        "status": {"observedGeneration": 1, **status},
    }


def cond(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": type_, "status": status, "reason": reason, "message": message}


ROLLED_OUT = {
    "replicas": 2,
    "updatedReplicas": 2,
    "readyReplicas": 2,
    "availableReplicas": 2,
    "conditions": [
        cond("Available", "True", "MinimumReplicasAvailable"),
        cond("Progressing", "True", "NewReplicaSetAvailable"),
    ],
}


def deploy(**status: Any) -> dict[str, Any]:
    return obj("apps/v1", "Deployment", {**ROLLED_OUT, **status}, replicas=2)


@pytest.mark.parametrize(
    ("o", "status", "message"),
    [
        (deploy(), CURRENT, "Deployment is available. Replicas: 2"),
        (deploy(updatedReplicas=1), IN_PROGRESS, "Updated: 1/2"),
        (deploy(availableReplicas=1), IN_PROGRESS, "Available: 1/2"),
        (deploy(readyReplicas=1), IN_PROGRESS, "Ready: 1/2"),
        (deploy(replicas=3), IN_PROGRESS, "Pending termination: 1"),
        (
            deploy(conditions=[cond("Progressing", "False", "ProgressDeadlineExceeded")]),
            FAILED,
            "Progress deadline exceeded",
        ),
        (
            deploy(conditions=[cond("Progressing", "True", "ReplicaSetUpdated")]),
            IN_PROGRESS,
            "ReplicaSet not Available",
        ),
        (deploy(observedGeneration=0), IN_PROGRESS, None),
        (
            obj("batch/v1", "Job", {"conditions": [cond("Failed", "True", "BackoffLimit", "x")]}),
            FAILED,
            "x",
        ),
        (obj("batch/v1", "Job", {"conditions": [cond("Complete", "True")]}), CURRENT, None),
        (obj("batch/v1", "Job", {"active": 1}), IN_PROGRESS, None),
        (
            obj(
                "v1",
                "Pod",
                {
                    "phase": "Running",
                    "containerStatuses": [
                        {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
                    ],
                },
            ),
            FAILED,
            "Pod container app is in CrashLoopBackOff",
        ),
        (
            obj("v1", "Pod", {"phase": "Running", "conditions": [cond("Ready", "True")]}),
            CURRENT,
            None,
        ),
        (obj("v1", "PersistentVolumeClaim", {"phase": "Pending"}), IN_PROGRESS, None),
        (obj("v1", "Service", {}, type="LoadBalancer"), IN_PROGRESS, None),
        (obj("v1", "Service", {}, type="ClusterIP"), CURRENT, None),
        (
            obj("apps/v1", "StatefulSet", {"replicas": 3, "readyReplicas": 2}, replicas=3),
            IN_PROGRESS,
            "Ready: 2/3",
        ),
        (
            obj(
                "apps/v1",
                "DaemonSet",
                {
                    "desiredNumberScheduled": 3,
                    "currentNumberScheduled": 3,
                    "updatedNumberScheduled": 3,
                    "numberAvailable": 2,
                    "numberReady": 3,
                },
            ),
            IN_PROGRESS,
            "Available: 2/3",
        ),
        (
            obj(
                "kustomize.toolkit.fluxcd.io/v1",
                "Kustomization",
                {"conditions": [cond("Ready", "False", "BuildFailed", "kustomize build failed")]},
            ),
            FAILED,
            "kustomize build failed",
        ),
        (
            obj("example.com/v1", "Widget", {"conditions": [cond("Stalled", "True", "Bad")]}),
            FAILED,
            "Bad",
        ),
        (
            obj("example.com/v1", "Widget", {"conditions": [cond("Reconciling", "True")]}),
            IN_PROGRESS,
            None,
        ),
        (obj("v1", "ConfigMap", {}), CURRENT, None),
    ],
)
def test_health(o: dict[str, Any], status: str, message: str | None) -> None:
    verdict = health(o)
    assert verdict.status == status
    assert verdict.healthy is (status == CURRENT)
    if message is not None:
        assert verdict.message == message


def test_terminating_and_missing() -> None:
    o = deploy()
    o["metadata"]["deletionTimestamp"] = "2025-06-01T10:00:00Z"
    assert health(o).status == TERMINATING
    assert missing().status == NOT_FOUND and not missing().healthy


def test_a_crd_named_like_a_core_kind_is_not_read_as_one() -> None:
    widget = obj("example.com/v1", "Deployment", {})  # no replica counters: not apps/v1
    assert health(widget).status == CURRENT
