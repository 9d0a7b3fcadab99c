"""Reading clusters without a cluster: kubeconfig merging, the RBAC fallbacks of the Flux object
reader, older served API versions, inventories and the snapshot writer (on fake sources)."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxops.cluster.flux_objects import read_flux_objects
from fluxops.cluster.kubeconfig import context_names, kubeconfig_files, load_merged
from fluxops.cluster.snapshot import Snapshot, load_snapshot
from fluxops.cluster.snapshot_writer import (
    TAKEN_AT,
    InventoryRef,
    inventory_refs,
    take_snapshot,
    write_snapshot,
)
from fluxops.errors import ClusterError, ForbiddenError
from tests.unit.status import objects as o

pytestmark = pytest.mark.unit


# -- kubeconfig ---------------------------------------------------------------------------------


def _kubeconfig(path: Path, contexts: list[str], current: str | None, ca: str = "ca.crt") -> Path:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": c,
                "cluster": {"server": f"https://{c}.example:6443", "certificate-authority": ca},
            }
            for c in contexts
        ],
        "users": [{"name": c, "user": {"token": f"token-{c}"}} for c in contexts],
        "contexts": [{"name": c, "context": {"cluster": c, "user": c}} for c in contexts],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def test_kubeconfig_merge_like_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _kubeconfig(tmp_path / "a" / "config", ["dev", "shared"], None)
    b = _kubeconfig(tmp_path / "b" / "config", ["prod", "shared"], "prod")
    missing = tmp_path / "nope"
    monkeypatch.setenv("KUBECONFIG", f"{missing}:{a}:{b}")
    assert kubeconfig_files(None) == [a, b]
    doc, files = load_merged(None)
    assert files == [a, b]
    assert doc["current-context"] == "prod"  # the first file that sets one
    shared = next(c for c in doc["clusters"] if c["name"] == "shared")
    assert shared["cluster"]["server"] == "https://shared.example:6443"
    assert shared["cluster"]["certificate-authority"] == str(
        tmp_path / "a" / "ca.crt"
    )  # first wins, resolved
    assert context_names(None) == ["dev", "shared", "prod"]
    assert kubeconfig_files(str(b)) == [b]  # --kubeconfig wins


def test_merged_kubeconfig_connects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fluxops.cluster.kubeconfig import load_config

    a = _kubeconfig(tmp_path / "a.yaml", ["dev"], "dev", ca="/etc/ssl/certs/ca-certificates.crt")
    b = _kubeconfig(tmp_path / "b.yaml", ["prod"], None, ca="/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("KUBECONFIG", f"{a}:{b}")
    cfg = load_config(None, "prod")
    assert cfg.cluster.server == "https://prod.example:6443"
    assert load_config(None, None).context_name == "dev"
    with pytest.raises(ClusterError, match="no context 'x'"):
        load_config(None, "x")


def test_no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert kubeconfig_files(None) == []
    with pytest.raises(ClusterError, match="no kubeconfig found"):
        context_names(None)


# -- the reader -----------------------------------------------------------------------------------


class FakeSource:
    """A Snapshot that refuses cluster-wide lists (or some namespaces), like a user with
    namespace-scoped RBAC, and records what it was asked."""

    def __init__(
        self,
        objects: builtins.list[dict[str, Any]],
        *,
        allowed: set[str] | None = None,
        namespace: str = "team-a",
        may_list_namespaces: bool = False,
    ) -> None:
        self.snap = Snapshot(objects)
        self.allowed = allowed
        self.namespace = namespace
        self.may_list_namespaces = may_list_namespaces
        self.server = "https://fake:6443"
        self.context = "reader"
        self.calls: builtins.list[tuple[str, str | None]] = []

    def _check(self, kind: str, namespace: str | None, verb: str = "list") -> None:
        if self.allowed is None:
            return
        if kind == "Namespace" and self.may_list_namespaces:
            return
        if namespace is None or namespace not in self.allowed:
            raise ForbiddenError(
                "forbidden", verb=verb, resource=f"{kind.lower()}s", namespace=namespace
            )

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, chunk_size: int = 500
    ) -> Iterator[dict[str, Any]]:
        self.calls.append((kind, namespace))
        self._check(kind, namespace)
        if kind == "Namespace":
            namespaces = {(x.get("metadata") or {}).get("namespace") for x in self.snap.objects}
            names = sorted(str(n) for n in namespaces if n is not None)
            return iter([{"metadata": {"name": n}} for n in names])
        return self.snap.list(api_version, kind, namespace, chunk_size)

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None:
        self._check(kind, namespace, "get")
        return self.snap.get(api_version, kind, name, namespace)

    def served_versions(self, group: str) -> builtins.list[str]:
        return self.snap.served_versions(group)

    def flux_api_versions(self) -> dict[str, str]:
        return self.snap.flux_api_versions()


def _team_objects() -> builtins.list[dict[str, Any]]:
    return [
        o.git_repository("flux-system"),
        o.kustomization("infra", applied="x"),
        o.kustomization(
            "app", "team-a", source=("GitRepository", "flux-system", "flux-system"), applied="x"
        ),
        o.helm_release("web", "team-b"),
        o.event(o.kustomization("app", "team-a"), "HealthCheckFailed", "timeout"),
    ]


def test_forbidden_cluster_wide_falls_back_to_the_context_namespace() -> None:
    src = FakeSource(_team_objects(), allowed={"team-a"})
    read = read_flux_objects(src, None)
    assert [(o["kind"], o["metadata"]["name"]) for o in read.objects] == [("Kustomization", "app")]
    assert read.readable("Kustomization", "team-a") and not read.readable(
        "Kustomization", "flux-system"
    )
    assert {r.namespace for r in read.refusals} == {None}
    assert any("read namespace team-a one by one" in n for n in read.notes)
    assert len(read.events) == 1


def test_forbidden_cluster_wide_reads_every_namespace_it_may() -> None:
    src = FakeSource(_team_objects(), allowed={"team-a", "team-b"}, may_list_namespaces=True)
    read = read_flux_objects(src, None)
    assert sorted(o["metadata"]["name"] for o in read.objects) == ["app", "web"]
    refused = {(r.resource, r.namespace) for r in read.refusals}
    assert ("kustomizations", "flux-system") in refused and ("kustomizations", None) in refused


def test_nothing_readable_is_an_error() -> None:
    src = FakeSource(_team_objects(), allowed=set(), namespace="")
    with pytest.raises(ForbiddenError, match="may not read any Flux object"):
        read_flux_objects(src, None)


def test_status_with_rbac_limits_fetches_and_reports() -> None:
    from datetime import UTC, datetime

    from fluxops.status.collect import cluster_status

    src = FakeSource(_team_objects(), allowed={"team-a"})
    cs = cluster_status(src, name="reader", now=datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert cs.error is None
    assert [st.id for st in cs.objects] == ["Kustomization/team-a/app"]
    # the GitRepository in flux-system is referenced, but may not be read
    assert [r.type for r in cs.root_causes] == []  # app is Ready: nothing to explain
    assert any(f.namespace == "flux-system" for f in cs.forbidden)


def test_no_flux() -> None:
    src = FakeSource(
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "y"}}]
    )
    src.server = "https://nofluxcluster:6443"
    with pytest.raises(ClusterError, match="Flux is not installed on https://nofluxcluster:6443"):
        read_flux_objects(src)


def test_older_api_versions_are_read_in_what_is_served() -> None:
    ks = o.kustomization("apps", applied="x")
    ks["apiVersion"] = "kustomize.toolkit.fluxcd.io/v1beta2"
    repo = o.git_repository("flux-system")
    repo["apiVersion"] = "source.toolkit.fluxcd.io/v1beta2"
    hr = o.helm_release("web")
    hr["apiVersion"] = "helm.toolkit.fluxcd.io/v2beta1"
    read = read_flux_objects(FakeSource([ks, repo, hr]))
    assert read.api_versions["Kustomization"] == "kustomize.toolkit.fluxcd.io/v1beta2"
    assert {x["apiVersion"] for x in read.objects} == {
        "kustomize.toolkit.fluxcd.io/v1beta2",
        "source.toolkit.fluxcd.io/v1beta2",
        "helm.toolkit.fluxcd.io/v2beta1",
    }


# -- inventories and the snapshot writer ----------------------------------------------------------


def test_inventory_ids() -> None:
    assert InventoryRef.parse("default_podinfo_apps_Deployment", "v1") == InventoryRef(
        "default", "podinfo", "apps", "Deployment", "v1"
    )
    cr = InventoryRef.parse("_system__controller__x_rbac.authorization.k8s.io_ClusterRole", "v1")
    assert cr is not None and cr.name == "system:controller:x" and cr.namespace == ""
    svc = InventoryRef.parse("default_podinfo__Service", "v1")
    assert svc is not None and svc.api_version == "v1" and svc.group == ""
    assert InventoryRef.parse("garbage", "v1") is None


def test_snapshot_round_trip(tmp_path: Path) -> None:
    inventory = [
        ("podinfo_podinfo_apps_Deployment", "v1"),
        ("podinfo_podinfo-auth__Secret", "v1"),
        ("podinfo_gone__ConfigMap", "v1"),
    ]
    ks = o.kustomization("podinfo", applied="x", inventory=inventory)
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "podinfo", "namespace": "podinfo"},
        "spec": {"replicas": 2},
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "podinfo-auth", "namespace": "podinfo"},
        "data": {"password": "c2VjcmV0"},
    }
    src = FakeSource(
        [
            ks,
            o.git_repository("flux-system"),
            deploy,
            secret,
            o.event(ks, "HealthCheckFailed", "timeout"),
        ]
    )
    assert [r.kind for r in inventory_refs([ks])] == ["Deployment", "Secret", "ConfigMap"]
    doc, summary = take_snapshot(src, version="0.1.0")
    assert (
        summary.flux_objects,
        summary.inventory_objects,
        summary.inventory_missing,
        summary.events,
    ) == (2, 2, 1, 1)
    assert summary.secrets_stripped == 1
    assert doc["kind"] == "List" and doc["metadata"]["annotations"][TAKEN_AT].endswith("Z")
    for fmt, name in (("yaml", "snap.yaml"), ("json", "snap.json")):
        path = tmp_path / name
        write_snapshot(doc, str(path), fmt)
        assert path.stat().st_mode & 0o777 == 0o600
        text = path.read_text()
        assert "c2VjcmV0" not in text
        loaded = load_snapshot(path)
        assert len(loaded.objects) == 5
        assert loaded.annotations[TAKEN_AT] == doc["metadata"]["annotations"][TAKEN_AT]
        got = loaded.get("v1", "Secret", "podinfo-auth", "podinfo")
        assert got is not None and got["data"] == {"password": ""}
    assert json.loads((tmp_path / "snap.json").read_text())["items"][0]["kind"] == "GitRepository"
