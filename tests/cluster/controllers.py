"""Flux controllers on the test API server: Deployments, their Pods on a Node served by the
stand-in kubelet (tests/cluster/kubelet_stub.py), with status written through the status
subresource as the kubelet and the Deployment controller would."""

from __future__ import annotations

from typing import Any

from tests.cluster.flux_objects import ensure_namespaces
from tests.cluster.kubelet_stub import KubeletStub

Obj = dict[str, Any]
T_READY = "2025-06-01T09:00:00Z"
NODE = "kubelet-stub"


def register_node(client: Any, stub: KubeletStub, name: str = NODE) -> None:
    """A Node whose kubelet is the stub (InternalIP 127.0.0.1, the stub's port)."""
    from lightkube import codecs
    from lightkube.resources.core_v1 import Node
    from lightkube.types import PatchType

    body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
    client.apply(codecs.from_dict(body), force=True)
    client.patch(
        Node.Status,
        name,
        {
            "status": {
                "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": stub.port}},
            }
        },
        patch_type=PatchType.MERGE,
    )


def deployment(
    name: str, namespace: str, image: str, *, available: bool = True, part_of: bool = True
) -> Obj:
    labels = {"app": name}
    meta_labels = {"app.kubernetes.io/part-of": "flux", "app.kubernetes.io/component": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": meta_labels if part_of else {"app": name},
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "manager", "image": image}]},
            },
        },
        "status": _deployment_status(available),
    }


def _deployment_status(available: bool) -> Obj:
    if not available:
        return {
            "observedGeneration": 1,
            "replicas": 1,
            "updatedReplicas": 1,
            "unavailableReplicas": 1,
            "conditions": [
                {
                    "type": "Available",
                    "status": "False",
                    "reason": "MinimumReplicasUnavailable",
                    "message": "Deployment does not have minimum availability.",
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "reason": "ReplicaSetUpdated",
                    "message": "ReplicaSet is progressing.",
                },
            ],
        }
    return {
        "observedGeneration": 1,
        "replicas": 1,
        "updatedReplicas": 1,
        "readyReplicas": 1,
        "availableReplicas": 1,
        "conditions": [
            {
                "type": "Available",
                "status": "True",
                "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": "ReplicaSet has successfully progressed.",
            },
        ],
    }


def pod(
    name: str,
    namespace: str,
    app: str,
    image: str,
    *,
    ready: bool = True,
    created: str = T_READY,
    containers: int = 1,
) -> Obj:
    spec_containers = [{"name": "manager", "image": image}] + [
        {"name": f"sidecar-{i}", "image": "busybox"} for i in range(1, containers)
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": app}},
        "spec": {"nodeName": NODE, "containers": spec_containers},
        "status": {
            "phase": "Running" if ready else "Pending",
            "startTime": created,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True" if ready else "False",
                    "lastTransitionTime": created,
                }
            ],
        },
    }


def create(client: Any, objects: list[Obj]) -> None:
    """Create each object, then write its status through the status subresource."""
    import copy

    from lightkube import codecs
    from lightkube.types import PatchType

    ensure_namespaces(client, sorted({o["metadata"]["namespace"] for o in objects}))
    for obj in objects:
        body = copy.deepcopy(obj)
        status = body.pop("status", None)
        res = codecs.from_dict(body)
        client.create(res)
        if status:
            client.patch(
                type(res).Status,
                obj["metadata"]["name"],
                {"status": status},
                namespace=obj["metadata"]["namespace"],
                patch_type=PatchType.MERGE,
            )
