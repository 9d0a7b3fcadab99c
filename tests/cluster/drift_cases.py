"""The 26 drift scenarios of issue 19, each a Flux Kustomization in the states people meet.

A `Case` says what kustomize-controller applied (`applied`, already rendered: substitution,
targetNamespace and patches done), what the repo holds now (`repo`, the files; default: what
was applied), the Kustomization's extra spec, the hand edits made afterwards, and what is
expected: fluxops' verdict per object in fields and server mode, `flux diff`'s word per object
and the exit codes. `deviation` names the row of docs/drift.md's table of deviations that
explains a disagreement with `flux diff` (the test checks the row exists).

`N` in names and namespaces is the case's namespace.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.cluster.drift_support import Kube

Obj = dict[str, Any]
Edit = Callable[[Kube, str], object]
SUBST_SECRET_VALUE = "subst-s3cr3t-value"


@dataclass
class Case:
    name: str
    applied: list[Obj]
    #: object -> (fields verdict, server verdict, flux diff word or None)
    expect: dict[str, tuple[str, str, str | None]]
    #: exit codes: (fields, server, flux diff)
    exits: tuple[int, int, int]
    repo: list[Obj] | None = None
    spec: Obj = field(default_factory=dict)
    edit: Edit | None = None
    #: objects created in flux-system before the apply (substituteFrom sources)
    setup: list[Obj] = field(default_factory=list)
    deviation: str = ""
    #: a note fluxops must give (fields mode), or None; "" checks that there is none
    note: str | None = None


def cm(name: str, data: dict[str, str], ns: str = "N", **meta: Any) -> Obj:
    obj: Obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}}
    if ns:
        obj["metadata"]["namespace"] = ns
    obj["data"] = data
    return obj


def deploy(name: str = "web", image: str = "nginx:1.25", app: str = "web") -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "N"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }


def secret(name: str, values: dict[str, str], ns: str = "N") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": ns},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()},
    }


def patch(
    api: str, kind: str, name: str, body: Obj, manager: str = "kubectl-edit", sub: str = ""
) -> Edit:
    return lambda kube, ns: kube.patch(api, kind, ns, name, body, manager=manager, subresource=sub)


def mark(key: str, value: str, data: str = "changed") -> Edit:
    body = {"metadata": {"annotations": {f"kustomize.toolkit.fluxcd.io/{key}": value}}}
    return patch("v1", "ConfigMap", "c", {**body, "data": {"a": data}})


SCALE = patch("apps/v1", "Deployment", "web", {"spec": {"replicas": 3}}, "kubectl", "scale")
C = "ConfigMap/N/c"
W = "Deployment/N/web"
HR = {
    "apiVersion": "helm.toolkit.fluxcd.io/v2",
    "kind": "HelmRelease",
    "metadata": {"name": "podinfo", "namespace": "N"},
    "spec": {
        "interval": "10m",
        "chart": {
            "spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "x"}}
        },
        "values": {"replicaCount": 1},
    },
}
SUBST = {
    "postBuild": {
        "substituteFrom": [
            {"kind": "ConfigMap", "name": "sc-vars-N"},
            {"kind": "Secret", "name": "sc-secret-N"},
        ]
    }
}
SUBST_SOURCES = [
    cm("sc-vars-N", {"LEVEL": "info"}, ns="flux-system"),
    secret("sc-secret-N", {"PASSWORD": SUBST_SECRET_VALUE}, ns="flux-system"),
]
SUBST_REPO = [cm("c", {"level": "${LEVEL}", "password": "${PASSWORD}"})]
SUBST_APPLIED = [cm("c", {"level": "info", "password": SUBST_SECRET_VALUE})]
KEEP_DEPLOY = {"k": ("in-sync", "in-sync", None)}

CASES: list[Case] = [
    Case("scaled", [deploy()], {W: ("drifted", "drifted", "drifted")}, (1, 1, 1), edit=SCALE),
    Case(
        "image",
        [deploy()],
        {W: ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        edit=patch(
            "apps/v1",
            "Deployment",
            "web",
            {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x:2"}]}}}},
        ),
    ),
    Case(
        "label-kubectl",
        [cm("c", {"a": "1"})],
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        edit=patch("v1", "ConfigMap", "c", {"metadata": {"labels": {"x": "y"}}}, "kubectl-label"),
        note="metadata.labels.x was set by kubectl-label",
    ),
    Case(
        "label-other-manager",
        [cm("c", {"a": "1"})],
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        edit=patch("v1", "ConfigMap", "c", {"metadata": {"labels": {"x": "y"}}}, "my-operator"),
        note="",
    ),
    Case(
        "annotation-removed",
        [cm("c", {"a": "1"}, annotations={"team": "a"})],
        {C: ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        edit=patch("v1", "ConfigMap", "c", {"metadata": {"annotations": {"team": None}}}),
    ),
    Case(
        "deleted",
        [cm("c", {"a": "1"})],
        {C: ("missing", "missing", "created")},
        (1, 1, 1),
        edit=lambda kube, ns: kube.delete("v1", "ConfigMap", ns, "c"),
    ),
    Case(
        "pruned",
        [cm("c", {"a": "1"}), cm("stale", {"a": "1"})],
        {C: ("in-sync", "in-sync", None), "ConfigMap/N/stale": ("orphaned", "orphaned", "deleted")},
        (1, 1, 1),
        repo=[cm("c", {"a": "1"})],
    ),
    Case(
        "prune-false",
        [cm("c", {"a": "1"}), cm("stale", {"a": "1"})],
        {C: ("in-sync", "in-sync", None), "ConfigMap/N/stale": ("orphaned", "orphaned", None)},
        (0, 0, 0),
        repo=[cm("c", {"a": "1"})],
        spec={"prune": False},
        deviation="prune-false",
    ),
    Case(
        "owner-labels-by-hand",
        [cm("c", {"a": "1"})],
        {C: ("in-sync", "in-sync", None), "ConfigMap/N/extra": ("orphaned", "orphaned", None)},
        (0, 0, 0),
        edit=lambda kube, ns: kube.create(
            cm(
                "extra",
                {"a": "1"},
                ns=ns,
                labels={
                    "kustomize.toolkit.fluxcd.io/name": f"sc-{ns.removeprefix('sc-')}",
                    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
                },
            )
        ),
        deviation="owner-labels-by-hand",
    ),
    Case(
        "secret-changed",
        [secret("s", {"password": "r3po-pa55word"})],
        {"Secret/N/s": ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        edit=patch("v1", "Secret", "s", {"data": {"password": base64.b64encode(b"h4nd").decode()}}),
    ),
    Case(
        "reconcile-disabled",
        [cm("c", {"a": "1"})],
        {C: ("skipped", "skipped", "skipped")},
        (0, 0, 0),
        edit=mark("reconcile", "disabled"),
    ),
    Case(
        "ssa-ignore",
        [cm("c", {"a": "1"})],
        {C: ("skipped", "skipped", "skipped")},
        (0, 0, 0),
        edit=mark("ssa", "Ignore"),
    ),
    Case(
        "ssa-ifnotpresent",
        [cm("c", {"a": "1"}, annotations={"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"})],
        {C: ("skipped", "skipped", "skipped")},
        (0, 0, 0),
        edit=patch("v1", "ConfigMap", "c", {"data": {"a": "changed"}}),
    ),
    Case(
        "ssa-merge",
        [cm("c", {"a": "1"}, annotations={"kustomize.toolkit.fluxcd.io/ssa": "Merge"})],
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        edit=patch("v1", "ConfigMap", "c", {"metadata": {"labels": {"x": "y"}}}, "kubectl-label"),
        note="",
    ),
    Case(
        "service-defaults",
        [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "web", "namespace": "N"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
            }
        ],
        {"Service/N/web": ("in-sync", "in-sync", None)},
        (0, 0, 0),
    ),
    Case(
        "helmrelease-values",
        [HR],
        {"HelmRelease/N/podinfo": ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        edit=patch(
            "helm.toolkit.fluxcd.io/v2",
            "HelmRelease",
            "podinfo",
            {"spec": {"values": {"replicaCount": 3}}},
        ),
    ),
    Case(
        "target-namespace-patches",
        [cm("c", {"a": "1"}, labels={"patched": "yes"})],
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        repo=[cm("c", {"a": "1"}, ns="")],
        spec={
            "targetNamespace": "N",
            "patches": [
                {
                    "patch": '[{"op": "add", "path": "/metadata/labels", "value": {"patched": "yes"}}]',
                    "target": {"kind": "ConfigMap"},
                }
            ],
        },
    ),
    Case(
        "drift-ignore",
        [deploy()],
        {W: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        spec={"ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}]},
        edit=SCALE,
    ),
    Case(
        "field-dropped",
        [cm("c", {"a": "1"}, labels={"team": "a"})],
        {C: ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        repo=[cm("c", {"a": "1"})],
    ),
    Case(
        "immutable-selector",
        [deploy()],
        {W: ("error", "error", None)},
        (2, 2, 2),
        repo=[deploy(app="web2")],
    ),
    Case(
        "immutable-force",
        [deploy()],
        {W: ("drifted", "drifted", None)},
        (1, 1, 2),
        repo=[deploy(app="web2")],
        spec={"force": True},
        deviation="immutable-force",
    ),
    Case(
        "substitute-configmap",
        [cm("c", {"level": "info"})],
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        repo=[cm("c", {"level": "${LEVEL}"})],
        spec={"postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "sc-vars-N"}]}},
        setup=[SUBST_SOURCES[0]],
    ),
    Case(
        "substitute-secret",
        SUBST_APPLIED,
        {C: ("in-sync", "in-sync", None)},
        (0, 0, 0),
        repo=SUBST_REPO,
        spec=SUBST,
        setup=SUBST_SOURCES,
    ),
    Case(
        "substitute-secret-changed",
        SUBST_APPLIED,
        {C: ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        repo=SUBST_REPO,
        spec=SUBST,
        setup=SUBST_SOURCES,
        edit=patch("v1", "ConfigMap", "c", {"data": {"password": "changed-by-hand"}}),
    ),
    Case(
        "no-namespace",
        [],
        {"ConfigMap/c": ("error", "error", None)},
        (2, 2, 2),
        repo=[cm("c", {"a": "1"}, ns="")],
    ),
    Case(
        "configmap-edited",
        [cm("c", {"a": "1", "b": "2"})],
        {C: ("drifted", "drifted", "drifted")},
        (1, 1, 1),
        edit=patch("v1", "ConfigMap", "c", {"data": {"a": "edited"}}),
    ),
]
