"""Planning (inventory, namespaces, owners) and evaluating a whole drift run, without a cluster."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from fluxops.drift import plan as dp
from fluxops.drift.helm import plan_helm
from fluxops.drift.helm_storage import (
    HelmStorageError,
    decode_release,
    latest_deployed,
    release_location,
)
from fluxops.drift.inventory import parse_inventory_id
from fluxops.drift.schema import SchemaRegistry
from fluxops.drift.verdicts import DriftResult
from fluxops.errors import ClusterError, ForbiddenError
from fluxops.model.resource import Resource
from fluxops.model.results import KustomizationBuild

pytestmark = pytest.mark.unit

OWNER = {
    "kustomize.toolkit.fluxcd.io/name": "apps",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("apps_web_apps_Deployment", ("apps", "Deployment", "apps", "web")),
        ("_apps__Namespace", ("", "Namespace", "", "apps")),
        (
            "_system__controller_rbac.authorization.k8s.io_ClusterRole",
            ("rbac.authorization.k8s.io", "ClusterRole", "", "system:controller"),
        ),
        ("ns_my_cm__ConfigMap", ("", "ConfigMap", "ns", "my_cm")),
        ("bad", None),
    ],
)
def test_inventory_ids(entry: str, key: tuple[str, ...] | None) -> None:
    assert parse_inventory_id(entry) == key


def ks(**spec: Any) -> Resource:
    return Resource(
        raw={
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system"},
            "spec": {"path": "./apps", "prune": True, **spec},
        }
    )


def cm(name: str, ns: str | None = "apps", **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **meta}
    if ns is not None:
        metadata["namespace"] = ns
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"a": "1"}}


SCOPE = {("v1", "ConfigMap"): True, ("v1", "Namespace"): False}


def build_of(*objects: dict[str, Any], **spec: Any) -> KustomizationBuild:
    build = KustomizationBuild(cluster="c", kustomization=ks(**spec))
    build.objects = [Resource(raw=o) for o in objects]
    return build


def live_ks(*entries: str) -> dict[str, Any]:
    return {"status": {"inventory": {"entries": [{"id": e, "v": "v1"} for e in entries]}}}


def test_plan_namespaces_inventory_and_errors() -> None:
    build = build_of(
        cm("a", labels=OWNER),
        cm("nons", ns=None),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps", "namespace": "x"}},
    )
    plans = dp.plan_builds(
        [build], {("flux-system", "apps"): live_ks("apps_gone__ConfigMap")}, SCOPE, mode="fields"
    )
    (plan,) = plans
    assert plan.summary.inventory == 1 and plan.prune is True
    keys = [d.key for d in plan.desired]
    assert keys == [
        ("", "ConfigMap", "apps", "a"),
        ("", "ConfigMap", "", "nons"),
        ("", "Namespace", "", "apps"),
    ]
    assert "no namespace" in plan.desired[1].problem
    assert "namespace" not in plan.desired[2].raw["metadata"]


def test_plan_failed_remote_and_bad_ignore_rules() -> None:
    failed = build_of()
    failed.fail("kustomize build failed")
    remote = build_of(kubeConfig={"secretRef": {"name": "k"}})
    bad = build_of(ignore=[{"paths": ["nope"]}])
    plans = dp.plan_builds([failed, remote, bad], {}, SCOPE, mode="fields")
    assert [p.summary.status for p in plans] == ["failed", "skipped", "failed"]
    assert "JSON pointer" in (plans[2].summary.error or "")


def evaluate(plans: list[dp.OwnerPlan], **state: Any) -> DriftResult:
    live = dp.LiveState(
        objects=state.get("objects", {}),
        errors=state.get("errors", {}),
        not_served=state.get("not_served", {}),
        labelled=state.get("labelled", []),
        dry_runs=state.get("dry_runs", {}),
    )
    return dp.evaluate(plans, live, SchemaRegistry(), DriftResult(mode="fields", source="test"))


def test_evaluate_orphans_from_inventory_and_owner_labels() -> None:
    build = build_of(cm("a", labels=OWNER))
    plans = dp.plan_builds(
        [build],
        {
            ("flux-system", "apps"): live_ks(
                "apps_a__ConfigMap", "apps_stale__ConfigMap", "apps_gone__ConfigMap"
            )
        },
        SCOPE,
        mode="fields",
    )
    stale = cm("stale", labels=OWNER)
    extra = cm("extra", labels=OWNER)
    other = cm("other", labels={**OWNER, "kustomize.toolkit.fluxcd.io/name": "else"})
    result = evaluate(
        plans,
        objects={
            ("", "ConfigMap", "apps", "a"): cm("a", labels=OWNER),
            ("", "ConfigMap", "apps", "stale"): stale,
        },
        labelled=[stale, extra, other],
    )
    verdicts = {(o.id.name, o.verdict, o.prune) for o in result.objects}
    assert verdicts == {
        ("a", "in-sync", None),
        ("extra", "orphaned", "keep"),
        ("stale", "orphaned", "prune"),
    }
    assert result.exit_code == 1
    assert "already gone" in plans[0].summary.notes[0]


def test_evaluate_not_served_read_errors_and_dry_run_failures() -> None:
    crd_obj = {
        "apiVersion": "x.io/v1",
        "kind": "Thing",
        "metadata": {"name": "t", "namespace": "apps"},
    }
    scope = {**SCOPE, ("x.io/v1", "Thing"): None}
    build = build_of(
        cm("a"),
        cm("b"),
        cm("c"),
        cm("d", ns="newns"),
        crd_obj,
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "newns"}},
    )
    plans = dp.plan_builds([build], {}, scope, mode="server")
    live_a = {**cm("a"), "metadata": {**cm("a")["metadata"], "resourceVersion": "1"}}
    result = evaluate(
        plans,
        objects={("", "ConfigMap", "apps", "a"): live_a, ("", "ConfigMap", "apps", "c"): live_a},
        errors={("", "ConfigMap", "apps", "b"): "forbidden: s3cr3t"},
        not_served={("x.io", "Thing"): "not served"},
        dry_runs={
            ("kustomize-controller", ("", "ConfigMap", "apps", "a")): live_a,
            ("kustomize-controller", ("", "ConfigMap", "apps", "c")): ForbiddenError(
                "may not patch", verb="patch", resource="configmaps"
            ),
            ("kustomize-controller", ("", "ConfigMap", "newns", "d")): ClusterError(
                'namespaces "newns" not found'
            ),
            ("kustomize-controller", ("", "Namespace", "", "newns")): {
                "metadata": {"name": "newns"}
            },
        },
    )
    got = {o.id.name: (o.verdict, o.reason) for o in result.objects}
    assert got["a"][0] == "in-sync"
    assert got["b"][0] == "error"
    assert "permission to patch" in got["c"][1]
    assert got["d"][0] == "missing" and "creates it first" in got["d"][1]
    assert got["t"][0] == "missing" and "does not serve" in got["t"][1]
    assert got["newns"][0] == "missing"
    assert result.exit_code == 2


def helm_secret(release: dict[str, Any], version: int, status: str) -> dict[str, Any]:
    payload = base64.b64encode(gzip.compress(json.dumps(release).encode())).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": f"sh.helm.release.v1.web.v{version}",
            "namespace": "apps",
            "labels": {"owner": "helm", "name": "web", "status": status, "version": str(version)},
        },
        "data": {"release": base64.b64encode(payload.encode()).decode()},
    }


MANIFEST = """---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  a: "1"
---
apiVersion: v1
kind: Namespace
metadata:
  name: web-ns
"""


def test_helm_storage_decoding_and_plan() -> None:
    release = {
        "name": "web",
        "namespace": "apps",
        "version": 2,
        "manifest": MANIFEST,
        "config": {"password": "s3cr3t"},
    }
    storage = [
        helm_secret({**release, "version": 1}, 1, "superseded"),
        helm_secret(release, 2, "deployed"),
        helm_secret(release, 3, "failed"),
    ]
    assert latest_deployed(storage) is storage[1]
    assert decode_release(storage[1])["version"] == 2
    hr = Resource(
        raw={
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"driftDetection": {"mode": "enabled", "ignore": [{"paths": ["/data/b"]}]}},
        }
    )
    plan = plan_helm(hr, storage, SCOPE, mode="fields")
    assert plan.summary.status == "compared"
    assert [d.key for d in plan.desired] == [
        ("", "ConfigMap", "apps", "web-config"),
        ("", "Namespace", "", "web-ns"),
    ]
    meta = plan.desired[0].raw["metadata"]
    assert meta["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert meta["annotations"]["meta.helm.sh/release-name"] == "web"
    assert plan.options.field_manager == "helm-controller"
    assert plan.options.ignore_rules[0].paths == ("/data/b",)
    assert "s3cr3t" not in json.dumps([d.raw for d in plan.desired])


def test_helm_storage_errors() -> None:
    hr = Resource(
        raw={
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {},
        }
    )
    assert plan_helm(hr, [], SCOPE, mode="fields").summary.status == "skipped"
    broken = helm_secret({}, 1, "deployed")
    broken["data"]["release"] = ""
    with pytest.raises(HelmStorageError):
        decode_release(broken)
    assert plan_helm(hr, [broken], SCOPE, mode="fields").summary.status == "failed"


def test_release_location_from_status_or_spec() -> None:
    hr = Resource(
        raw={
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"targetNamespace": "prod"},
        }
    )
    assert release_location(hr, None) == ("apps", "prod-web")
    live = {
        "status": {
            "storageNamespace": "store",
            "history": [{"name": "custom", "namespace": "prod"}],
        }
    }
    assert release_location(hr, live) == ("store", "custom")
    long = Resource(raw={**hr.raw, "metadata": {"name": "x" * 60, "namespace": "apps"}, "spec": {}})
    name = release_location(long, None)[1]
    assert len(name) == 53 and name.startswith("x" * 40 + "-")
