"""fluxops.cluster against a real kube-apiserver: paging, get, server-side apply dry run,
discovery of the Flux APIs, RBAC refusals, and an unreachable server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from fluxops.cluster.client import ClusterClient, connect
from fluxops.errors import ClusterError, ForbiddenError

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

PAGING_NS = "paging"  # this module's own namespace: the session cluster is shared
N_CONFIGMAPS = 1500


@pytest.fixture(scope="module")
def admin(cluster: LiveCluster) -> Iterator[ClusterClient]:
    with connect(cluster.kubeconfig, cluster.admin_context, timeout=15) as c:
        yield c


@pytest.fixture(scope="module")
def reader(cluster: LiveCluster) -> Iterator[ClusterClient]:
    with connect(cluster.kubeconfig, cluster.reader_context, timeout=15) as c:
        yield c


@pytest.fixture(scope="module")
def configmaps(cluster: LiveCluster) -> str:
    """1,500 ConfigMaps in namespace `paging`, and one in the reader's namespace."""
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap, Namespace

    lk = cluster.admin()
    try:
        lk.apply(Namespace(metadata=ObjectMeta(name=PAGING_NS)))

        def make(i: int) -> None:
            lk.create(
                ConfigMap(
                    metadata=ObjectMeta(
                        name=f"cm-{i:04d}", namespace=PAGING_NS, labels={"fluxops-test": "paging"}
                    ),
                    data={"index": str(i)},
                )
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(make, range(N_CONFIGMAPS)))
        lk.apply(
            ConfigMap(
                metadata=ObjectMeta(name="team-config", namespace=cluster.reader_namespace),
                data={"owner": "team-a"},
            )
        )
    finally:
        lk.close()
    return PAGING_NS


def _list_requests(cluster: LiveCluster) -> float:
    """The API server's own count of LIST requests for configmaps (apiserver_request_total)."""
    status, body = cluster.raw_get("/metrics")
    assert status == 200
    total = 0.0
    for line in body.decode().splitlines():
        if (
            line.startswith("apiserver_request_total{")
            and 'verb="LIST"' in line
            and 'resource="configmaps"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_server_is_the_real_kube_apiserver(admin: ClusterClient) -> None:
    v = admin.version()
    assert v["gitVersion"] == "v1.36.3"
    assert (v["major"], v["minor"]) == ("1", "36")


def test_list_pages_through_continue(
    cluster: LiveCluster, admin: ClusterClient, configmaps: str
) -> None:
    before_pages, before_server = admin.stats.list_pages, _list_requests(cluster)
    items = list(admin.list("v1", "ConfigMap", namespace=configmaps, chunk_size=200))
    pages = admin.stats.list_pages - before_pages
    ours = [i for i in items if i["metadata"].get("labels", {}).get("fluxops-test") == "paging"]
    assert len(ours) == N_CONFIGMAPS
    assert len({i["metadata"]["name"] for i in ours}) == N_CONFIGMAPS
    assert all(i["apiVersion"] == "v1" and i["kind"] == "ConfigMap" for i in items)
    assert pages == -(-len(items) // 200) >= 8  # 1,500 / 200 -> 8 pages
    # ...and the server saw that many LIST requests, not one big one.
    assert _list_requests(cluster) - before_server >= pages


def test_list_all_namespaces(admin: ClusterClient, configmaps: str) -> None:
    names = {
        (i["metadata"]["namespace"], i["metadata"]["name"])
        for i in admin.list("v1", "ConfigMap", chunk_size=500)
    }
    assert ("team-a", "team-config") in names
    assert sum(1 for ns, _ in names if ns == configmaps) == N_CONFIGMAPS


def test_list_cluster_scoped_and_crds(admin: ClusterClient, configmaps: str) -> None:
    crds = list(admin.list("apiextensions.k8s.io/v1", "CustomResourceDefinition", chunk_size=4))
    names = {c["metadata"]["name"] for c in crds}
    assert "kustomizations.kustomize.toolkit.fluxcd.io" in names
    assert "helmreleases.helm.toolkit.fluxcd.io" in names
    assert list(admin.list("kustomize.toolkit.fluxcd.io/v1", "Kustomization", PAGING_NS)) == []


def test_get(admin: ClusterClient, configmaps: str) -> None:
    cm = admin.get("v1", "ConfigMap", "cm-0042", namespace=configmaps)
    assert cm is not None
    assert cm["data"] == {"index": "42"}
    assert cm["kind"] == "ConfigMap" and cm["apiVersion"] == "v1"
    assert admin.get("v1", "ConfigMap", "does-not-exist", namespace=configmaps) is None
    ns = admin.get("v1", "Namespace", configmaps)
    assert ns is not None and ns["metadata"]["name"] == configmaps


def test_apply_dry_run_does_not_create(admin: ClusterClient, configmaps: str) -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "dry-run-only", "namespace": configmaps},
        "data": {"a": "1"},
    }
    out = admin.apply_dry_run(obj)
    assert out["data"] == {"a": "1"}
    assert out["metadata"]["uid"]  # the server filled it in as for a real create
    managers = {(m["manager"], m["operation"]) for m in out["metadata"]["managedFields"]}
    assert managers == {("kustomize-controller", "Apply")}
    assert admin.get("v1", "ConfigMap", "dry-run-only", namespace=configmaps) is None


def test_apply_dry_run_leaves_live_object_alone(admin: ClusterClient, configmaps: str) -> None:
    live = admin.get("v1", "ConfigMap", "cm-0007", namespace=configmaps)
    assert live is not None
    changed = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm-0007", "namespace": configmaps},
        "data": {"index": "changed"},
    }
    out = admin.apply_dry_run(changed, field_manager="kustomize-controller", force=True)
    assert out["data"]["index"] == "changed"
    assert out["metadata"]["labels"] == {"fluxops-test": "paging"}  # merged with the live object
    again = admin.get("v1", "ConfigMap", "cm-0007", namespace=configmaps)
    assert again is not None
    assert again["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]
    assert again["data"] == {"index": "7"}
    assert "kustomize-controller" not in {m["manager"] for m in again["metadata"]["managedFields"]}


def test_apply_dry_run_of_a_flux_object(admin: ClusterClient, configmaps: str) -> None:
    ks: dict[str, Any] = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": configmaps},
        "spec": {
            "interval": "10m",
            "path": "./apps",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        },
    }
    out = admin.apply_dry_run(ks)
    assert out["spec"]["sourceRef"]["name"] == "flux-system"
    assert out["metadata"]["generation"] == 1
    assert admin.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", configmaps) is None
    bad = {**ks, "spec": {**ks["spec"], "interval": "every now and then"}}
    with pytest.raises(ClusterError, match=r"rejected Kustomization .*interval") as err:
        admin.apply_dry_run(bad)
    assert admin.server in str(err.value)


def test_flux_api_versions(admin: ClusterClient) -> None:
    assert "v1" in admin.served_versions("kustomize.toolkit.fluxcd.io")
    assert admin.served_versions("nothing.example.com") == []
    assert admin.served_versions("") == ["v1"]
    versions = admin.flux_api_versions()
    assert versions["Kustomization"] == "kustomize.toolkit.fluxcd.io/v1"
    assert versions["HelmRelease"] == "helm.toolkit.fluxcd.io/v2"
    assert versions["GitRepository"] == "source.toolkit.fluxcd.io/v1"
    assert versions["OCIRepository"] == "source.toolkit.fluxcd.io/v1"
    assert versions["Receiver"] == "notification.toolkit.fluxcd.io/v1"
    # Alert and Provider are only served in v1beta3, while the group prefers v1.
    assert versions["Alert"] == "notification.toolkit.fluxcd.io/v1beta3"
    assert versions["ImagePolicy"].startswith("image.toolkit.fluxcd.io/")
    assert versions["ArtifactGenerator"].startswith("source.extensions.fluxcd.io/")
    crds = {p.name for p in Path(__file__).parents[2].glob("src/fluxops/data/crds/flux/*.yaml")}
    assert len(versions) == len(crds)


def test_kind_not_served(admin: ClusterClient) -> None:
    with pytest.raises(ClusterError) as err:
        list(admin.list("kustomize.toolkit.fluxcd.io/v1beta1", "Kustomization"))
    assert not isinstance(err.value, ForbiddenError)
    msg = str(err.value)
    assert admin.server in msg and "Kustomization" in msg
    assert "kustomize.toolkit.fluxcd.io/v1" in msg  # what it does serve
    with pytest.raises(ClusterError, match="does not serve Widget"):
        admin.get("example.com/v1", "Widget", "w")


def test_reader_reads_its_namespace(reader: ClusterClient, configmaps: str) -> None:
    names = [i["metadata"]["name"] for i in reader.list("v1", "ConfigMap", namespace="team-a")]
    assert "team-config" in names
    cm = reader.get("v1", "ConfigMap", "team-config")  # the context's namespace: team-a
    assert cm is not None and cm["data"] == {"owner": "team-a"}
    assert reader.flux_api_versions()["Kustomization"] == "kustomize.toolkit.fluxcd.io/v1"


def test_reader_is_forbidden_elsewhere(reader: ClusterClient, configmaps: str) -> None:
    with pytest.raises(ForbiddenError) as err:
        list(reader.list("v1", "ConfigMap", namespace=configmaps))
    e = err.value
    assert (e.verb, e.resource, e.namespace) == ("list", "configmaps", configmaps)
    assert reader.server in str(e) and "reader" in str(e) and configmaps in str(e)

    with pytest.raises(ForbiddenError) as err:
        reader.get("v1", "ConfigMap", "cm-0001", namespace=configmaps)
    assert (err.value.verb, err.value.namespace) == ("get", configmaps)

    with pytest.raises(ForbiddenError) as err:  # all namespaces = cluster-wide
        list(reader.list("kustomize.toolkit.fluxcd.io/v1", "Kustomization"))
    e = err.value
    assert (e.verb, e.resource, e.namespace) == (
        "list",
        "kustomizations.kustomize.toolkit.fluxcd.io",
        None,
    )
    assert "cluster-wide" in str(e)

    with pytest.raises(ForbiddenError):  # may read, may not even dry-run writes
        reader.apply_dry_run(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "x", "namespace": "team-a"},
            }
        )


def _kubeconfig_variant(cluster: LiveCluster, tmp_path: Path, **changes: str) -> str:
    kc: dict[str, Any] = yaml.safe_load(Path(cluster.kubeconfig).read_text())
    if "server" in changes:
        kc["clusters"][0]["cluster"]["server"] = changes["server"]
    if "token" in changes:
        for u in kc["users"]:
            u["user"]["token"] = changes["token"]
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(kc))
    return str(path)


def test_unreachable_server_fails_fast(cluster: LiveCluster, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = f"https://127.0.0.1:{port}"
    path = _kubeconfig_variant(cluster, tmp_path, server=server)
    start = time.monotonic()
    with connect(path, "admin", timeout=3) as c, pytest.raises(ClusterError) as err:
        list(c.list("v1", "ConfigMap", namespace="default"))
    assert time.monotonic() - start < 5
    assert not isinstance(err.value, ForbiddenError)
    assert "cannot reach the API server" in str(err.value) and server in str(err.value)


def test_unroutable_server_times_out(cluster: LiveCluster, tmp_path: Path) -> None:
    """A listener that accepts but never answers: the read timeout bounds the wait."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        server = f"https://127.0.0.1:{s.getsockname()[1]}"
        path = _kubeconfig_variant(cluster, tmp_path, server=server)
        start = time.monotonic()
        with connect(path, "admin", timeout=1) as c, pytest.raises(ClusterError, match="timed out"):
            c.version()
        assert time.monotonic() - start < 4


def test_bad_credentials(cluster: LiveCluster, tmp_path: Path) -> None:
    path = _kubeconfig_variant(cluster, tmp_path, token="not-a-valid-token")
    with connect(path, "admin") as c, pytest.raises(ClusterError, match="401") as err:
        c.get("v1", "ConfigMap", "x", namespace="default")
    assert not isinstance(err.value, ForbiddenError)
    assert "credentials" in str(err.value)


def test_unknown_context(cluster: LiveCluster) -> None:
    with pytest.raises(ClusterError, match=r"no context 'nope' \(it has: admin, reader\)"):
        connect(cluster.kubeconfig, "nope")


def test_import_is_cheap() -> None:
    code = (
        "import sys, fluxops.cluster, fluxops.cluster.client;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lightkube', 'httpx2')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_discovery_sees_crds_installed_after_it_ran(cluster: LiveCluster) -> None:
    """Aggregated discovery is one request, but a group it did not list (a CRD installed
    later, as `drift` and the benchmarks do with one client) is still found."""
    group = "later.fluxops.test"
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }
    from lightkube import codecs

    from tests.cluster.drift_support import Kube

    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    with connect(cluster.kubeconfig, cluster.admin_context, timeout=15) as c:
        before = c.stats.requests
        assert c.served_versions("kustomize.toolkit.fluxcd.io") == ["v1"]
        assert c.served_versions("source.toolkit.fluxcd.io")  # from the same response
        assert c.stats.requests - before == 1  # one aggregated discovery request
        cluster.admin().apply(codecs.from_dict(crd), force=True)
        deadline = time.monotonic() + 30
        while True:
            # served in discovery and by its group-version endpoint (under load the server
            # lists a new CRD in aggregated discovery a little before that endpoint answers)
            with connect(cluster.kubeconfig, cluster.admin_context, timeout=15) as fresh:
                listed = fresh.served_versions(group) == ["v1"]
            if listed and kube.request("GET", f"/apis/{group}/v1")[0] == 200:
                break
            assert time.monotonic() < deadline, "CRD never served"
            time.sleep(0.3)
        # the long-lived client ran discovery before the CRD existed, and still finds it
        assert c.resource(f"{group}/v1", "Widget").plural == "widgets"
    kube.close()
