"""Fields mode knows the well-known immutable paths: the apply would fail (error, exit 2) as
the dry run says in server mode; with force Flux recreates the object (drifted)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fluxops.drift.compare import CompareOptions, compare_object
from fluxops.drift.immutable import judge_immutable
from fluxops.drift.schema import SchemaRegistry

pytestmark = pytest.mark.unit

REGISTRY = SchemaRegistry()


def deployment(app: str = "web", image: str = "nginx:1") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
        },
    }


def judge(desired: dict[str, Any], live: dict[str, Any], force: bool = False) -> tuple[str, str]:
    drift = compare_object(desired, live, REGISTRY, CompareOptions())
    judge_immutable(drift, desired, live, force=force)
    return drift.verdict, drift.reason


def test_selector_change_fails_and_other_changes_do_not() -> None:
    verdict, reason = judge(deployment(app="web2"), deployment())
    assert verdict == "error" and "spec.selector" in reason and "would fail" in reason
    assert judge(deployment(image="nginx:2"), deployment()) == ("drifted", "")


def test_force_recreates() -> None:
    verdict, reason = judge(deployment(app="web2"), deployment(), force=True)
    assert verdict == "drifted" and "recreates" in reason
    marked = deployment(app="web2")
    marked["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/force": "enabled"}
    assert judge(marked, deployment())[0] == "drifted"


def service(cluster_ip: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": [{"port": 80, "protocol": "TCP"}]}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "apps"},
        "spec": spec,
    }


def test_service_cluster_ip_only_when_the_repo_sets_it() -> None:
    live = service("10.0.0.5")
    assert judge(service("10.0.0.9"), live)[0] == "error"
    assert judge(service(None), live)[0] == "in-sync"


def test_immutable_configmap_data() -> None:
    live: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "apps"},
        "data": {"a": "1"},
        "immutable": True,
    }
    desired = copy.deepcopy(live)
    desired["data"]["a"] = "2"
    verdict, reason = judge(desired, live)
    assert verdict == "error" and "immutable: true" in reason
    live["immutable"] = False
    assert judge(desired, live)[0] == "drifted"


def test_pvc_storage_class() -> None:
    def pvc(storage_class: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "p", "namespace": "apps"},
            "spec": {
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }

    assert judge(pvc("fast"), pvc("slow"))[0] == "error"
