"""`fluxops status` and `fluxops snapshot` against the real kube-apiserver.

The scenario of tests/unit/status/objects.py is created in namespaces of its own (status is
written through the status subresource, as a controller would), then read back live: the
classification, the blocking tree, the hints and the JSON must be what the pure analysis of the
same objects says. Also: the RBAC-limited user, several contexts at once, a server that stops
mid-run, an unreachable server, bad credentials, and a snapshot round trip.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from fluxops import api
from fluxops.output.status import to_data
from fluxops.status.analyze import analyze
from fluxops.status.states import State, StatusResult
from tests.cluster.flux_objects import create_events, create_with_status, ensure_namespaces
from tests.unit.status import objects as o

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

FLUX = "st-flux"
APPS = "st-apps"
TEAM = "team-a"  # the reader may read this namespace only
MINE = (FLUX, APPS, TEAM)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenario(cluster: LiveCluster) -> list[dict[str, Any]]:
    objs = o.scenario(FLUX, APPS, TEAM)
    client = cluster.admin()
    try:
        ensure_namespaces(client, MINE)
        create_with_status(client, objs)
        create_events(client, o.scenario_events(objs))
    finally:
        client.close()
    return objs


def _status(cluster: LiveCluster, **kw: Any) -> StatusResult:
    kw.setdefault("contexts", [cluster.admin_context])
    kw.setdefault("now", NOW)
    kw.setdefault("timeout", 15)
    return api.status(api.StatusRequest(kubeconfig=cluster.kubeconfig, **kw))


def _mine(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON document restricted to this module's namespaces (other tests share the
    server), without what differs between runs (timings, where it was read from)."""
    out: dict[str, Any] = json.loads(json.dumps(data))
    for c in out["clusters"]:
        for key in ("seconds", "name", "server", "origin", "notes", "forbidden"):
            c.pop(key, None)
        c["objects"] = [x for x in c["objects"] if x["namespace"] in MINE]
        c["rootCauses"] = [
            r
            for r in c["rootCauses"]
            if r["id"].split("/")[1] in MINE or r["id"].startswith("cycle:")
        ]
        c.pop("summary")
    out.pop("summary")
    out.pop("failing")
    return out


def test_classification_matches_the_analysis_of_the_same_objects(
    cluster: LiveCluster, scenario: list[dict[str, Any]]
) -> None:
    result = _status(cluster)
    c = result.clusters[0]
    assert c.error is None, c.error
    live = {s.id: s for s in c.objects if s.namespace in MINE}
    expected = {s.id: s for s in analyze(scenario, o.scenario_events(scenario), now=NOW).objects}
    assert set(live) == set(expected)
    for oid, want in expected.items():
        got = live[oid]
        if oid == f"Kustomization/{FLUX}/stale":  # time-dependent: test_stale_generation
            assert got.state == want.state == State.PROGRESSING
            continue
        assert (got.state, got.reason) == (want.state, want.reason), oid
        assert got.blocked_by == want.blocked_by, oid
        assert got.failed_upgrade == want.failed_upgrade, oid
        assert got.revision == want.revision, oid
        assert got.behind_source == want.behind_source, oid
        assert (got.hint.reason if got.hint else None) == (
            want.hint.reason if want.hint else None
        ), oid
    # the API server served what the builders wrote: nothing was pruned from status
    hr = live[f"HelmRelease/{APPS}/podinfo"]
    assert hr.state == State.STALLED and hr.failed_upgrade is not None
    assert (hr.failed_upgrade.attempted, hr.failed_upgrade.deployed) == ("6.5.4", "6.5.3")
    assert hr.events and hr.events[0].reason == "UpgradeFailed"
    assert c.api_versions["Kustomization"] == "kustomize.toolkit.fluxcd.io/v1"


def test_blocking_tree_hints_and_cycles(
    cluster: LiveCluster, scenario: list[dict[str, Any]]
) -> None:
    c = _status(cluster).clusters[0]
    roots = {r.id: r for r in c.root_causes}
    platform = roots[f"GitRepository/{FLUX}/platform"]
    assert platform.blocks == [
        f"Kustomization/{FLUX}/platform-{n}" for n in ("config", "controllers", "crds")
    ]
    assert platform.hint is not None and platform.hint.reason == "GitOperationFailed/auth"
    assert f"kubectl -n {FLUX} describe secret platform-auth" in platform.hint.commands
    chain = roots[f"Kustomization/{FLUX}/chain-c"]
    assert chain.blocks == [f"Kustomization/{FLUX}/chain-a", f"Kustomization/{FLUX}/chain-b"]
    assert (
        chain.hint is not None and chain.hint.commands[0] == f"fluxops build . --ks {FLUX}/chain-c"
    )
    chart = roots[f"HelmChart/{FLUX}/{APPS}-broken"]
    assert chart.blocks == [f"HelmRelease/{APPS}/broken"]
    assert (
        chart.hint is not None
        and chart.hint.commands[0] == f"flux get sources helm podinfo -n {FLUX}"
    )
    cycle = [r for r in c.root_causes if r.type == "cycle" and r.members[0].split("/")[1] == FLUX]
    assert [r.members for r in cycle] == [
        [f"Kustomization/{FLUX}/cycle-x", f"Kustomization/{FLUX}/cycle-y"]
    ]
    assert [f"Kustomization/{FLUX}/cycle-x", f"Kustomization/{FLUX}/cycle-y"] in c.cycles
    by_id = c.by_id()
    assert by_id[f"HelmRelease/{TEAM}/grafana"].state == State.SUSPENDED
    assert by_id[f"Kustomization/{FLUX}/lagging"].behind_source


def test_stale_generation(cluster: LiveCluster, scenario: list[dict[str, Any]]) -> None:
    """generation 3 (two spec changes on the server), observed 2: progressing now, stale once
    the change is older than --stale-after."""
    fresh = _status(cluster, now=None).clusters[0].by_id()[f"Kustomization/{FLUX}/stale"]
    assert fresh.generation == 3 and fresh.observed_generation == 2
    assert fresh.state == State.PROGRESSING and not fresh.stale
    time.sleep(1.1)
    old = (
        _status(cluster, now=None, stale_after=1).clusters[0].by_id()[f"Kustomization/{FLUX}/stale"]
    )
    assert old.state == State.PROGRESSING and old.stale and old.reason == "StaleGeneration"
    assert old.hint is not None and "flux check" in old.hint.commands


def test_json_from_the_cli(cluster: LiveCluster, scenario: list[dict[str, Any]]) -> None:
    proc = _cli(cluster, "status", "--context", cluster.admin_context, "-o", "json")
    assert proc.returncode == 1, proc.stderr  # things are failing
    data = json.loads(proc.stdout)
    assert data["apiVersion"] == "fluxops.io/v1" and data["failing"] is True
    assert data["summary"]["exitCode"] == proc.returncode
    objs = {x["id"]: x for x in data["clusters"][0]["objects"]}
    crds = objs[f"Kustomization/{FLUX}/platform-crds"]
    assert crds["status"] == "Failed" and crds["blockedBy"] == [f"GitRepository/{FLUX}/platform"]
    assert crds["hint"]["id"] == "ArtifactFailed"
    proc = _cli(
        cluster, "status", "--context", cluster.admin_context, "-n", TEAM, "--fail-on", "failed"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # only a suspended release there
    assert f"HelmRelease/{TEAM}/grafana" in proc.stdout


def test_snapshot_round_trip(
    cluster: LiveCluster, scenario: list[dict[str, Any]], tmp_path: Path
) -> None:
    live = _status(cluster)
    for name in ("snap.yaml", "snap.json"):
        path = tmp_path / name
        summary = api.snapshot(
            api.SnapshotRequest(
                output=str(path), kubeconfig=cluster.kubeconfig, context=cluster.admin_context
            )
        )
        assert summary.flux_objects >= len(scenario) and summary.events >= 5
        assert path.stat().st_mode & 0o777 == 0o600
        from_file = api.status(api.StatusRequest(snapshot=str(path), now=NOW))
        assert from_file.clusters[0].origin == "snapshot"
        assert from_file.clusters[0].name == cluster.admin_context
        assert _mine(to_data(from_file)) == _mine(to_data(live)), name
    proc = _cli(
        cluster,
        "snapshot",
        "--context",
        cluster.admin_context,
        "-n",
        TEAM,
        "--no-inventory",
    )
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(proc.stdout)
    assert (
        doc["kind"] == "List"
        and doc["metadata"]["annotations"]["snapshot.fluxops.io/namespace"] == TEAM
    )
    assert "wrote stdout" in proc.stderr


def test_snapshot_includes_inventory_without_secret_data(
    cluster: LiveCluster, tmp_path: Path
) -> None:
    from lightkube import codecs

    ns = "st-inventory"
    client = cluster.admin()
    try:
        ensure_namespaces(client, [ns])
        client.create(
            codecs.from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": {"name": "db", "namespace": ns},
                    "stringData": {"password": "hunter2-very-secret"},
                }
            )
        )
        client.create(
            codecs.from_dict(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "settings", "namespace": ns},
                    "data": {"a": "1"},
                }
            )
        )
        inventory = [
            (f"{ns}_db__Secret", "v1"),
            (f"{ns}_settings__ConfigMap", "v1"),
            (f"{ns}_gone__ConfigMap", "v1"),
            (f"_{ns}__Namespace", "v1"),
        ]
        create_with_status(
            client,
            [
                o.git_repository("src", ns),
                o.kustomization(
                    "app", ns, source=("GitRepository", "src"), applied="x", inventory=inventory
                ),
            ],
        )
    finally:
        client.close()
    path = tmp_path / "inv.json"
    summary = api.snapshot(
        api.SnapshotRequest(
            output=str(path),
            kubeconfig=cluster.kubeconfig,
            context=cluster.admin_context,
            namespace=ns,
        )
    )
    assert (summary.flux_objects, summary.inventory_objects, summary.inventory_missing) == (2, 3, 1)
    assert summary.secrets_stripped == 1
    text = path.read_text()
    assert "hunter2" not in text and "aHVudGVyMi" not in text
    items = json.loads(text)["items"]
    secret = next(i for i in items if i["kind"] == "Secret")
    assert secret["data"] == {"password": ""}
    assert {i["kind"] for i in items} >= {
        "GitRepository",
        "Kustomization",
        "Secret",
        "ConfigMap",
        "Namespace",
    }


def test_rbac_limited_user(cluster: LiveCluster, scenario: list[dict[str, Any]]) -> None:
    result = _status(cluster, contexts=[cluster.reader_context])
    c = result.clusters[0]
    assert c.error is None
    assert {s.namespace for s in c.objects} == {TEAM}
    assert f"HelmRelease/{TEAM}/grafana" in c.by_id()
    # may not list cluster-wide: said so, and the context's namespace was read instead
    assert any(
        f.namespace is None and f.resource.startswith("kustomizations.") for f in c.forbidden
    )
    assert any("read namespace team-a one by one" in n for n in c.notes)
    # the HelmChart the release uses lives in a namespace the reader may not read
    assert any(f.namespace == FLUX and f.verb == "get" for f in c.forbidden)
    proc = _cli(cluster, "status", "--context", cluster.reader_context)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "forbidden: may not list kustomizations.kustomize.toolkit.fluxcd.io cluster-wide"
        in proc.stdout
    )
    proc = _cli(cluster, "status", "--context", cluster.reader_context, "-n", FLUX, "-o", "json")
    assert proc.returncode == 2
    assert (
        "may not read any Flux object" in json.loads(proc.stdout)["clusters"][0]["error"]["message"]
    )


def test_several_contexts_concurrently(
    cluster: LiveCluster, scenario: list[dict[str, Any]]
) -> None:
    result = _status(cluster, contexts=[cluster.admin_context, cluster.reader_context])
    assert [c.name for c in result.clusters] == [cluster.admin_context, cluster.reader_context]
    assert len(result.clusters[0].objects) > len(result.clusters[1].objects)
    every = _status(cluster, contexts=[], all_contexts=True)
    assert [c.name for c in every.clusters] == ["admin", "reader"]
    proc = _cli(cluster, "status", "--all-contexts", "--problems")
    assert proc.stdout.count("\ncluster ") + proc.stdout.startswith("cluster ") == 2


def test_kubeconfig_with_several_files(
    cluster: LiveCluster, scenario: list[dict[str, Any]], tmp_path: Path
) -> None:
    kc = yaml.safe_load(Path(cluster.kubeconfig).read_text())
    admin_only = {
        **kc,
        "contexts": [c for c in kc["contexts"] if c["name"] == "admin"],
        "current-context": "admin",
    }
    reader_only = {**kc, "contexts": [c for c in kc["contexts"] if c["name"] == "reader"]}
    reader_only.pop("current-context", None)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(admin_only))
    b.write_text(yaml.safe_dump(reader_only))
    env = {**os.environ, "KUBECONFIG": f"{tmp_path / 'missing'}{os.pathsep}{a}{os.pathsep}{b}"}
    proc = _cli(cluster, "status", "--all-contexts", "-o", "json", kubeconfig=False, env=env)
    names = [c["name"] for c in json.loads(proc.stdout)["clusters"]]
    assert names == ["admin", "reader"]
    proc = _cli(cluster, "status", "--context", "reader", "-o", "json", kubeconfig=False, env=env)
    assert json.loads(proc.stdout)["clusters"][0]["name"] == "reader"


def test_paging(cluster: LiveCluster) -> None:
    """1,200 Kustomizations in one namespace come back over several pages."""
    from fluxops.cluster.client import connect
    from fluxops.status.collect import cluster_status

    ns = "st-paging"
    client = cluster.admin()
    try:
        ensure_namespaces(client, [ns])
        create_with_status(
            client, [o.kustomization(f"ks-{i:04d}", ns, applied="x") for i in range(1200)]
        )
    finally:
        client.close()
    with connect(cluster.kubeconfig, cluster.admin_context) as c:
        before = c.stats.list_pages
        cs = cluster_status(c, name="admin", now=NOW, namespace=ns)
        assert len(cs.objects) == 1200 and all(s.state == State.READY for s in cs.objects)
        assert c.stats.list_pages - before >= 3  # 1,200 at 500 a page, plus the other kinds


# -- failures --------------------------------------------------------------------------------------


def _cli(
    cluster: LiveCluster,
    *args: str,
    kubeconfig: bool | str = True,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "fluxops", *args]
    if kubeconfig:
        cmd += ["--kubeconfig", cluster.kubeconfig if kubeconfig is True else str(kubeconfig)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def _kubeconfig_variant(
    cluster: LiveCluster, tmp_path: Path, *, server: str | None = None, token: str | None = None
) -> Path:
    kc: dict[str, Any] = yaml.safe_load(Path(cluster.kubeconfig).read_text())
    if server:
        kc["clusters"][0]["cluster"]["server"] = server
    if token:
        for u in kc["users"]:
            u["user"]["token"] = token
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(kc))
    return path


def test_unreachable_server(cluster: LiveCluster, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = _kubeconfig_variant(cluster, tmp_path, server=f"https://127.0.0.1:{port}")
    start = time.monotonic()
    proc = _cli(cluster, "status", "--context", "admin", "--timeout", "2s", kubeconfig=str(path))
    assert time.monotonic() - start < 15
    assert proc.returncode == 2
    assert f"cannot reach the API server https://127.0.0.1:{port}" in proc.stdout


def test_server_that_never_answers_times_out(cluster: LiveCluster, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        path = _kubeconfig_variant(
            cluster, tmp_path, server=f"https://127.0.0.1:{s.getsockname()[1]}"
        )
        start = time.monotonic()
        proc = _cli(
            cluster,
            "status",
            "--context",
            "admin",
            "--timeout",
            "1s",
            "-o",
            "json",
            kubeconfig=str(path),
        )
        assert time.monotonic() - start < 15
    assert proc.returncode == 2
    assert "timed out" in json.loads(proc.stdout)["clusters"][0]["error"]["message"]


def test_bad_credentials(cluster: LiveCluster, tmp_path: Path) -> None:
    path = _kubeconfig_variant(cluster, tmp_path, token="expired-token")
    proc = _cli(cluster, "status", "--context", "admin", kubeconfig=str(path))
    assert proc.returncode == 2
    assert (
        "rejected the credentials of kubeconfig context 'admin' (401 Unauthorized)" in proc.stdout
    )
    assert "log in again" in proc.stdout


def test_missing_context_and_kubeconfig(cluster: LiveCluster, tmp_path: Path) -> None:
    proc = _cli(cluster, "status", "--context", "nope")
    assert proc.returncode == 2 and "no context 'nope'" in proc.stdout
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["HOME"] = str(tmp_path)
    proc = _cli(cluster, "status", kubeconfig=False, env=env)
    assert proc.returncode == 2 and "no kubeconfig found" in proc.stdout


class _Proxy:
    """A TCP proxy to the API server that can be cut: the server "stops" for the client."""

    def __init__(self, upstream: str, cut_after_bytes: int | None = None) -> None:
        host, port = upstream.removeprefix("https://").rsplit(":", 1)
        self.upstream = (host, int(port))
        self.cut_after = cut_after_bytes
        self.forwarded = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self.stopped:
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
                    if s is b:
                        with self.lock:
                            self.forwarded += len(data)
                            over = self.cut_after is not None and self.forwarded >= self.cut_after
                        if over:
                            self.stop()
                            return
        except OSError:
            return

    def stop(self) -> None:
        self.stopped = True
        with contextlib.suppress(OSError):
            self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()


@pytest.fixture
def proxy_kubeconfig(cluster: LiveCluster, tmp_path: Path) -> Iterator[Any]:
    proxies: list[_Proxy] = []

    def make(cut_after: int | None = None) -> tuple[_Proxy, Path]:
        p = _Proxy(cluster.server, cut_after)
        proxies.append(p)
        sub = tmp_path / str(len(proxies))
        sub.mkdir()
        return p, _kubeconfig_variant(cluster, sub, server=f"https://127.0.0.1:{p.port}")

    yield make
    for p in proxies:
        p.stop()


def test_server_stopped_mid_run(
    cluster: LiveCluster, scenario: list[dict[str, Any]], proxy_kubeconfig: Any
) -> None:
    proxy, path = proxy_kubeconfig()
    ok = api.status(api.StatusRequest(kubeconfig=str(path), contexts=["admin"], timeout=5, now=NOW))
    assert ok.clusters[0].error is None
    full = proxy.forwarded
    assert full > 20_000
    proxy, path = proxy_kubeconfig(cut_after=full // 3)  # dies while the kinds are listed
    start = time.monotonic()
    cut = api.status(
        api.StatusRequest(kubeconfig=str(path), contexts=["admin"], timeout=3, now=NOW)
    )
    assert time.monotonic() - start < 20
    err = cut.clusters[0].error
    assert err is not None and "cannot reach the API server" in err.message
    assert proxy.stopped


def test_watch_reports_the_server_going_away(
    cluster: LiveCluster, scenario: list[dict[str, Any]], proxy_kubeconfig: Any
) -> None:
    proxy, path = proxy_kubeconfig()
    cmd = [
        sys.executable,
        "-m",
        "fluxops",
        "status",
        "--kubeconfig",
        str(path),
        "--context",
        "admin",
        "-n",
        APPS,
        "--watch",
        "--interval",
        "1s",
        "--timeout",
        "2s",
        "-o",
        "json",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["clusters"][0]["error"] is None
        proxy.stop()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            doc = json.loads(proc.stdout.readline())
            if doc["clusters"][0]["error"] is not None:
                break
        assert "cannot reach the API server" in doc["clusters"][0]["error"]["message"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
