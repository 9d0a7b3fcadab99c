"""A small GitOps repo for the drift tests and benchmark, and the hand edits made to the cluster.

`write_repo(root, ns, ks, version)` writes a repo with one Flux Kustomization `flux-system/<ks>`
(path ./apps, prune: true, a drift-ignore rule for `/spec/replicas` of Deployments named
`ignored-*`) whose objects live in namespace `ns`. Version 1 is what was applied; version 2
(the repo "now") drops two ConfigMaps (`stale`, `stale-kept`) and a label Flux had set.
`EXPECTED` is the verdict fluxops must give each object after `edit_live()`.
"""

from __future__ import annotations

import base64
import copy
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from tests.cluster.drift_support import OWNER_NAME, OWNER_NAMESPACE, Kube

#: object -> (fields-mode verdict, server-mode verdict)
EXPECTED: dict[str, tuple[str, str]] = {
    "Namespace/{ns}": ("in-sync", "in-sync"),
    "Deployment/{ns}/web-scaled": ("drifted", "drifted"),
    "Deployment/{ns}/web-image": ("drifted", "drifted"),
    "Deployment/{ns}/web-untouched": ("in-sync", "in-sync"),
    "Deployment/{ns}/ignored-replicas": ("in-sync", "in-sync"),
    "Service/{ns}/web": ("in-sync", "in-sync"),
    "GitRepository/{ns}/repo": ("in-sync", "in-sync"),
    "ConfigMap/{ns}/cm-labelled": ("in-sync", "in-sync"),
    "ConfigMap/{ns}/cm-edited": ("drifted", "drifted"),
    "ConfigMap/{ns}/cm-deleted": ("missing", "missing"),
    "ConfigMap/{ns}/cm-ignored": ("skipped", "skipped"),
    "ConfigMap/{ns}/cm-label-dropped": ("drifted", "drifted"),
    "Secret/{ns}/creds": ("drifted", "drifted"),
    "Secret/{ns}/creds-untouched": ("in-sync", "in-sync"),
    "ConfigMap/{ns}/stale": ("orphaned", "orphaned"),
    "ConfigMap/{ns}/stale-kept": ("orphaned", "orphaned"),
    "ConfigMap/{ns}/extra-owned": ("orphaned", "orphaned"),
}

#: what `flux diff kustomization` prints for each object of EXPECTED (None: nothing printed)
FLUX_DIFF: dict[str, str | None] = {
    "Namespace/{ns}": None,
    "Deployment/{ns}/web-scaled": "drifted",
    "Deployment/{ns}/web-image": "drifted",
    "Deployment/{ns}/web-untouched": None,
    "Deployment/{ns}/ignored-replicas": None,
    "Service/{ns}/web": None,
    "GitRepository/{ns}/repo": None,
    "ConfigMap/{ns}/cm-labelled": None,
    "ConfigMap/{ns}/cm-edited": "drifted",
    "ConfigMap/{ns}/cm-deleted": "created",
    "ConfigMap/{ns}/cm-ignored": "skipped",
    "ConfigMap/{ns}/cm-label-dropped": "drifted",
    "Secret/{ns}/creds": "drifted",
    "Secret/{ns}/creds-untouched": None,
    "ConfigMap/{ns}/stale": "deleted",
    # deliberate deviations (docs/drift.md): flux diff ignores the prune: disabled annotation,
    # and does not look for objects that carry the owner labels but are not in the inventory
    "ConfigMap/{ns}/stale-kept": "deleted",
    "ConfigMap/{ns}/extra-owned": None,
}


def _deployment(ns: str, name: str, image: str = "nginx:1.25", replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": image,
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "env": [
                                {"name": "MODE", "value": "prod"},
                                {"name": "EMPTY", "value": ""},
                            ],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "64Mi"},
                                "limits": {"cpu": "1000m", "memory": "1024Mi"},
                            },
                        }
                    ]
                },
            },
        },
    }


def _configmap(ns: str, name: str, data: dict[str, str], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, **meta},
        "data": data,
    }


def objects(ns: str, version: int, extra: int = 0) -> list[dict[str, Any]]:
    """The repo's objects. `extra`: that many more ConfigMaps and Deployments (benchmark)."""
    objs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
        _deployment(ns, "web-scaled"),
        _deployment(ns, "web-image"),
        _deployment(ns, "web-untouched"),
        _deployment(ns, "ignored-replicas"),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": ns},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
        },
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": ns},
            "spec": {
                "interval": "1m0s",
                "url": "https://example.com/repo.git",
                "ref": {"branch": "main"},
                "ignore": "/*\n!/deploy\n",
            },
        },
        _configmap(ns, "cm-labelled", {"a": "1"}),
        _configmap(ns, "cm-edited", {"level": "info", "size": "10"}),
        _configmap(ns, "cm-deleted", {"a": "1"}),
        _configmap(ns, "cm-ignored", {"a": "1"}),
        _configmap(
            ns,
            "cm-label-dropped",
            {"a": "1"},
            labels={"team": "platform"} if version == 1 else {},
        ),
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": ns},
            "stringData": {"password": "s3cr3t-v4lue", "user": "admin-user"},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds-untouched", "namespace": ns},
            "data": {"token": base64.b64encode(b"t0ken-untouched").decode()},
        },
    ]
    if version == 1:
        objs.append(_configmap(ns, "stale", {"a": "1"}))
        objs.append(
            _configmap(
                ns,
                "stale-kept",
                {"a": "1"},
                annotations={"kustomize.toolkit.fluxcd.io/prune": "disabled"},
            )
        )
    for i in range(extra):
        if i % 4 == 3:
            objs.append(_deployment(ns, f"bulk-deploy-{i:04d}"))
        else:
            objs.append(_configmap(ns, f"bulk-cm-{i:04d}", {"index": str(i), "mode": "x" * 40}))
    return objs


def kustomization(ks: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": ks, "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": "./apps",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "ignore": [
                {
                    "paths": ["/spec/replicas"],
                    "target": {"kind": "Deployment", "name": "ignored-.*"},
                }
            ],
        },
    }


def write_repo(root: Path, ns: str, ks: str, version: int, extra: int = 0) -> Path:
    """Write the repo; returns the Flux Kustomization file."""
    apps = root / "apps"
    apps.mkdir(parents=True, exist_ok=True)
    for old in apps.glob("*.yaml"):
        old.unlink()
    names = []
    for i, obj in enumerate(objects(ns, version, extra)):
        name = f"{i:04d}-{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        (apps / name).write_text(yaml.safe_dump(obj, sort_keys=False))
        names.append(name)
    (apps / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": names,
            }
        )
    )
    clusters = root / "clusters" / "test"
    clusters.mkdir(parents=True, exist_ok=True)
    ks_file = clusters / f"{ks}.yaml"
    ks_file.write_text(yaml.safe_dump(kustomization(ks), sort_keys=False))
    return ks_file


def owner_labels(obj: dict[str, Any], ks: str) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    labels = obj.setdefault("metadata", {}).setdefault("labels", {})
    labels.update({OWNER_NAME: ks, OWNER_NAMESPACE: "flux-system"})
    return obj


def inventory_entry(obj: dict[str, Any]) -> dict[str, str]:
    api_version = obj["apiVersion"]
    group, _, version = api_version.rpartition("/")
    meta = obj["metadata"]
    return {
        "id": f"{meta.get('namespace', '')}_{meta['name']}_{group}_{obj['kind']}",
        "v": version,
    }


def apply_as_flux(kube: Kube, ns: str, ks: str, extra: int = 0) -> list[dict[str, Any]]:
    """What kustomize-controller did for version 1: apply every object (owner labels,
    field manager kustomize-controller) and record the inventory in the Kustomization."""
    applied = [owner_labels(o, ks) for o in objects(ns, 1, extra)]
    namespace, rest = applied[0], applied[1:]
    kube.apply(namespace)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(kube.apply, rest))
    kube.apply(kustomization(ks), manager="fluxops-tests")
    kube.patch(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        "flux-system",
        ks,
        {"status": {"inventory": {"entries": [inventory_entry(o) for o in applied]}}},
        manager="kustomize-controller",
        subresource="status",
    )
    return applied


def edit_live(kube: Kube, ns: str, ks: str) -> None:
    """The hand edits (as `kubectl edit` / `kubectl scale` / `kubectl label` make them)."""
    kube.patch("apps/v1", "Deployment", ns, "web-scaled", {"spec": {"replicas": 5}})
    kube.patch(
        "apps/v1",
        "Deployment",
        ns,
        "web-image",
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}},
    )
    kube.patch("apps/v1", "Deployment", ns, "ignored-replicas", {"spec": {"replicas": 7}})
    kube.patch(
        "v1",
        "ConfigMap",
        ns,
        "cm-labelled",
        {"metadata": {"labels": {"added": "by-hand"}}},
        manager="kubectl-label",
    )
    kube.patch("v1", "ConfigMap", ns, "cm-edited", {"data": {"level": "debug"}})
    kube.patch(
        "v1",
        "Secret",
        ns,
        "creds",
        {"data": {"password": base64.b64encode(b"changed-by-hand").decode()}},
    )
    kube.delete("v1", "ConfigMap", ns, "cm-deleted")
    kube.patch(
        "v1",
        "ConfigMap",
        ns,
        "cm-ignored",
        {
            "metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "Ignore"}},
            "data": {"a": "changed"},
        },
    )
    kube.create(owner_labels(_configmap(ns, "extra-owned", {"a": "1"}), ks))
