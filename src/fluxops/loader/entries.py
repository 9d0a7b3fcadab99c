"""Cluster entry points: where Flux starts reconciling a cluster from this repo.

- `clusters/<name>/flux-system/gotk-sync.yaml` (flux bootstrap): its Kustomization, or, when the
  file is a placeholder, the Kustomization bootstrap would write (path = the cluster folder).
- a FluxInstance's `spec.sync.path` (Flux Operator), also when the FluxInstance is rendered by
  the flux-instance chart from a HelmRelease's `values.instance`.
Each entry is a Flux Kustomization object (raw dict) plus the cluster folder it stands for.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from fluxops.loader.repo import Repo
from fluxops.loader.roots import clean_path
from fluxops.model.flux import FluxInstance, HelmRelease, Kustomization
from fluxops.model.resource import Origin, Resource


@dataclass(frozen=True)
class Entry:
    """One cluster: a name (its folder), and the root Flux Kustomization."""

    cluster: str
    kustomization: Resource
    how: str


def _synthetic(
    name: str, namespace: str, path: str, origin: Origin, source: dict[str, Any]
) -> Resource:
    raw = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": "10m0s",
            "path": "./" + path if path else "./",
            "prune": True,
            "sourceRef": source,
        },
    }
    return Resource(raw=raw, origin=origin)


def find_entries(repo: Repo) -> list[Entry]:
    entries: list[Entry] = []
    seen_paths: set[str] = set()

    # 1. flux bootstrap: gotk-sync.yaml inside a flux-system folder.
    sync_files = sorted(
        rel
        for rel in repo.yaml_files
        if posixpath.basename(rel) == "gotk-sync.yaml"
        and posixpath.basename(posixpath.dirname(rel)) == "flux-system"
    )
    for rel in sync_files:
        cluster_dir = posixpath.dirname(posixpath.dirname(rel))
        found = [
            r
            for r in repo.lookups()
            if r.origin
            and r.origin.file == rel
            and r.id.group == Kustomization.group
            and r.kind == "Kustomization"
        ]
        if found:
            for ks in found:
                path = clean_path(str(ks.spec.get("path", "")))
                seen_paths.add(path)
                entries.append(Entry(cluster=path or cluster_dir, kustomization=ks, how=rel))
        else:
            seen_paths.add(cluster_dir)
            ks = _synthetic(
                "flux-system",
                "flux-system",
                cluster_dir,
                Origin(rel, 0, 1),
                {"kind": "GitRepository", "name": "flux-system"},
            )
            entries.append(Entry(cluster=cluster_dir, kustomization=ks, how=f"{rel} (placeholder)"))

    # 2. Flux Operator: FluxInstance objects, and flux-instance HelmRelease values.
    for obj in repo.lookup_flux():
        sync: dict[str, Any] = {}
        namespace = obj.namespace if obj.resource.namespace else "flux-system"
        if isinstance(obj, FluxInstance):
            sync = obj.sync
        elif isinstance(obj, HelmRelease):
            instance = obj.values.get("instance")
            if isinstance(instance, dict) and isinstance(instance.get("sync"), dict):
                sync = instance["sync"]
        sync_path = sync.get("path")
        if not isinstance(sync_path, str) or not sync_path:
            continue
        path = clean_path(sync_path)
        if path in seen_paths:
            continue
        seen_paths.add(path)
        origin = obj.resource.origin or Origin("(unknown)")
        source = {
            "kind": sync.get("kind") or "GitRepository",
            "name": sync.get("name") or "flux-system",
            "namespace": namespace,
        }
        ks = _synthetic(str(sync.get("name") or "flux-system"), namespace, path, origin, source)
        entries.append(
            Entry(cluster=path, kustomization=ks, how=f"{origin.file} (FluxInstance sync)")
        )
    return entries


def entry_for_dir(repo: Repo, cluster_dir: str) -> Entry:
    """`--cluster DIR` without a bootstrap file: treat DIR as the cluster's root path."""
    path = clean_path(cluster_dir)
    ks = _synthetic(
        "flux-system",
        "flux-system",
        path,
        Origin(path or ".", 0, 1),
        {"kind": "GitRepository", "name": "flux-system"},
    )
    return Entry(cluster=path, kustomization=ks, how=f"--cluster {cluster_dir}")
