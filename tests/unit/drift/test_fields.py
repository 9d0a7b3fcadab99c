"""The fields comparison: what the API server normalises is not drift, what differs is."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fluxops.drift.fieldwise import compare_fields, compare_full, owned_fields, scalar_equal
from fluxops.drift.normalize import flux_normalize, prepare_desired
from fluxops.drift.schema import SchemaRegistry, crd_node
from fluxops.model.kube.schema import ANY, Node

pytestmark = pytest.mark.unit

REGISTRY = SchemaRegistry()


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "apps", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}, "creationTimestamp": None},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "nginx:1.25",
                            "ports": [{"containerPort": 8080}],
                            "env": [{"name": "A", "value": ""}, {"name": "B", "value": "b"}],
                            "resources": {"limits": {"cpu": "1000m", "memory": "1024Mi"}},
                            "securityContext": {},
                        }
                    ],
                    "hostNetwork": False,
                    "imagePullSecrets": [],
                },
            },
        },
    }


def served(desired: dict[str, Any]) -> dict[str, Any]:
    """What the API server gives back after applying `desired` (defaults, canonical values)."""
    live = copy.deepcopy(desired)
    live["metadata"].update(uid="u", resourceVersion="7", generation=1, creationTimestamp="t")
    spec = live["spec"]
    spec.update(
        revisionHistoryLimit=10, progressDeadlineSeconds=600, strategy={"type": "RollingUpdate"}
    )
    pod = spec["template"]["spec"]
    del pod["hostNetwork"], pod["imagePullSecrets"]
    pod.update(restartPolicy="Always", dnsPolicy="ClusterFirst", schedulerName="default-scheduler")
    del spec["template"]["metadata"]["creationTimestamp"]
    c = pod["containers"][0]
    c["ports"][0]["protocol"] = "TCP"
    c["resources"]["limits"] = {"cpu": "1", "memory": "1Gi"}
    c["env"][0] = {"name": "A"}
    del c["securityContext"]
    c.update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log")
    live["status"] = {"replicas": 2}
    return live


def diff(desired: dict[str, Any], live: dict[str, Any], manager: str | None = None) -> list[Any]:
    node = REGISTRY.node("apps", "v1", "Deployment")
    prepared, _ = prepare_desired(desired, node)
    owned = owned_fields(live, manager) if manager else None
    return compare_fields(prepared, live, node, owned)[0]


def test_server_defaults_and_normalisation_are_not_drift() -> None:
    assert diff(deployment(), served(deployment())) == []


def test_changed_fields_are_reported_with_paths_and_values() -> None:
    live = served(deployment())
    live["spec"]["replicas"] = 5
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "2"
    found = {(d.path, d.op, d.desired, d.live) for d in diff(deployment(), live)}
    assert found == {
        ("spec.replicas", "changed", 2, 5),
        ("spec.template.spec.containers[name=app].image", "changed", "nginx:1.25", "nginx:1.27"),
        ("spec.template.spec.containers[name=app].resources.limits.cpu", "changed", "1000m", "2"),
    }
    pointers = {d.pointer for d in diff(deployment(), live)}
    assert "/spec/template/spec/containers/0/image" in pointers


def test_missing_list_item_and_missing_field() -> None:
    live = served(deployment())
    live["spec"]["template"]["spec"]["containers"][0]["env"].pop()
    del live["metadata"]["labels"]
    found = {(d.path, d.op) for d in diff(deployment(), live)}
    assert found == {
        ("metadata.labels", "missing"),
        ("spec.template.spec.containers[name=app].env[name=B]", "missing"),
    }


def test_extra_fields_other_managers_set_are_not_drift() -> None:
    live = served(deployment())
    live["metadata"]["labels"]["added"] = "by-hand"
    live["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "x"})
    live["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-label",
            "operation": "Update",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:added": {}}}},
        }
    ]
    assert diff(deployment(), live, "kustomize-controller") == []


def test_fields_flux_owns_but_no_longer_sets_are_unexpected() -> None:
    live = served(deployment())
    live["metadata"]["labels"]["team"] = "a"
    live["spec"]["template"]["spec"]["containers"].append({"name": "old", "image": "x"})
    live["metadata"]["managedFields"] = [
        {
            "manager": "kustomize-controller",
            "operation": "Apply",
            "fieldsV1": {
                "f:metadata": {"f:labels": {"f:app": {}, "f:team": {}}, "f:name": {}},
                "f:spec": {
                    "f:template": {
                        "f:spec": {"f:containers": {'k:{"name":"app"}': {}, 'k:{"name":"old"}': {}}}
                    }
                },
            },
        },
        {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "subresource": "status",
            "fieldsV1": {},
        },
    ]
    found = {(d.path, d.op) for d in diff(deployment(), live, "kustomize-controller")}
    assert found == {
        ("metadata.labels.team", "unexpected"),
        ("spec.template.spec.containers[name=old]", "unexpected"),
    }


def test_unknown_fields_are_pruned_as_the_server_does() -> None:
    desired = deployment()
    desired["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    node = REGISTRY.node("apps", "v1", "Deployment")
    prepared, pruned = prepare_desired(desired, node)
    assert pruned == ["spec.template.spec.containers[0].imagePullPolicyy"]
    assert compare_fields(prepared, served(deployment()), node)[0] == []


@pytest.mark.parametrize(
    ("desired", "live", "node", "equal"),
    [
        (8080, "8080", Node(kind="scalar", int_or_string=True), True),
        ("25%", "25%", Node(kind="scalar", int_or_string=True), True),
        (1, True, ANY, False),
        (True, True, ANY, True),
        ("1k", 1000, Node(kind="scalar", int_or_string=True), False),
        ("aGk=", "aGk=\n", Node(kind="scalar", byte=True), True),
        ("500m", "0.5", Node(kind="scalar", quantity=True), True),
        ("500m", "0.5", ANY, False),  # not a quantity field: compared as text
        (1.0, 1, ANY, True),
    ],
)
def test_scalar_equality(desired: Any, live: Any, node: Node, equal: bool) -> None:
    assert scalar_equal(desired, live, node) is equal


def test_quantities_recognised_by_field_name_without_schema() -> None:
    assert scalar_equal("1000m", "1", ANY, ("spec", "resources", "limits", "cpu"))
    assert scalar_equal("1Gi", "1024Mi", ANY, ("spec", "storage"))


def test_service_ports_protocol_default_and_set_lists() -> None:
    node = REGISTRY.node("", "v1", "Service")
    desired: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "n", "finalizers": ["a"]},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}], "selector": {"app": "x"}},
    }
    live = copy.deepcopy(desired)
    live["metadata"]["finalizers"] = ["b", "a"]
    live["spec"]["ports"] = [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]
    live["spec"].update(clusterIP="10.0.0.3", type="ClusterIP", sessionAffinity="None")
    prepared, _ = prepare_desired(desired, node)
    assert compare_fields(prepared, live, node)[0] == []
    live["metadata"]["finalizers"] = ["b"]
    assert [d.path for d in compare_fields(prepared, live, node)[0]] == ["metadata.finalizers[0]"]


def test_atomic_lists_compare_by_position_and_length() -> None:
    desired = deployment()
    desired["spec"]["template"]["spec"]["containers"][0]["args"] = ["--a", "--b"]
    live = served(desired)
    assert diff(desired, live) == []
    live["spec"]["template"]["spec"]["containers"][0]["args"] = ["--a"]
    assert [(d.path, d.op) for d in diff(desired, live)] == [
        ("spec.template.spec.containers[name=app].args", "changed")
    ]


def test_projection_mirrors_desired_where_equal() -> None:
    live = served(deployment())
    live["spec"]["replicas"] = 3
    node = REGISTRY.node("apps", "v1", "Deployment")
    prepared, _ = prepare_desired(deployment(), node)
    diffs, projected = compare_fields(prepared, live, node)
    assert len(diffs) == 1
    assert projected["spec"]["replicas"] == 3
    limits = projected["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits == {"cpu": "1000m", "memory": "1024Mi"}  # equal values shown as desired
    assert "strategy" not in projected["spec"]  # defaults are not part of the comparison


def test_crd_schema_lists_and_pruning() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["id"],
                        "items": {
                            "type": "object",
                            "properties": {"id": {"type": "string"}, "v": {"type": "integer"}},
                        },
                    },
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    "size": {"x-kubernetes-int-or-string": True},
                },
            }
        },
    }
    node = crd_node(schema, REGISTRY.builtins.object_meta())
    desired: dict[str, Any] = {
        "apiVersion": "x.io/v1",
        "kind": "Thing",
        "metadata": {"name": "t"},
        "spec": {
            "items": [{"id": "a", "v": 1}],
            "free": {"any": {"thing": 1}},
            "size": 3,
            "bogus": 1,
        },
    }
    prepared, pruned = prepare_desired(desired, node)
    assert pruned == ["spec.bogus"]
    live = copy.deepcopy(desired)
    del live["spec"]["bogus"]
    live["spec"]["items"].insert(0, {"id": "z", "v": 9})
    live["spec"]["size"] = "3"
    assert compare_fields(prepared, live, node)[0] == []


def test_full_diff_is_symmetric_and_keyed() -> None:
    node = REGISTRY.node("apps", "v1", "Deployment")
    a = served(deployment())
    b = copy.deepcopy(a)
    b["spec"]["template"]["spec"]["containers"].insert(0, {"name": "side", "image": "s"})
    b["spec"]["paused"] = True
    a["spec"]["replicas"] = 3
    found = {(d.path, d.op) for d in compare_full(a, b, node)}
    assert found == {
        ("spec.replicas", "changed"),
        ("spec.paused", "unexpected"),
        ("spec.template.spec.containers[name=side]", "unexpected"),
    }


def test_flux_normalize_matches_fluxcd_pkg() -> None:
    desired = deployment()
    desired["status"] = {"x": 1}
    out = flux_normalize(desired)
    assert out["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"
    assert "protocol" not in desired["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    assert out["metadata"]["creationTimestamp"] is None and "status" not in out
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"k": "v"},
        "data": {"o": "eA=="},
    }
    assert flux_normalize(secret)["data"] == {"o": "eA==", "k": "dg=="}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "c"},
        "status": {"a": 1},
    }
    assert flux_normalize(crd)["status"] == {"a": 1}


def test_fields_set_with_kubectl_are_found() -> None:
    from fluxops.drift.fieldwise import kubectl_fields, not_in_desired

    live = served(deployment())
    live["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-label",
            "operation": "Update",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:added": {}, "f:app": {}}}},
        },
        {
            "manager": "kubectl-edit",
            "operation": "Update",
            "fieldsV1": {
                "f:spec": {
                    "f:replicas": {},
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"app"}': {".": {}, "f:image": {}, "f:tty": {}},
                                'k:{"name":"debug"}': {".": {}, "f:name": {}},
                            }
                        }
                    },
                }
            },
        },
        {
            "manager": "kubectl",
            "operation": "Update",
            "subresource": "scale",
            "fieldsV1": {"f:spec": {"f:x": {}}},
        },
        {"manager": "helm", "operation": "Update", "fieldsV1": {"f:spec": {"f:paused": {}}}},
    ]
    prepared, _ = prepare_desired(deployment(), REGISTRY.node("apps", "v1", "Deployment"))
    tree = kubectl_fields(live)
    assert tree is not None
    assert sorted(not_in_desired(tree, prepared)) == [
        "metadata.labels.added",
        "spec.template.spec.containers[name=app].tty",
        "spec.template.spec.containers[name=debug]",
    ]
