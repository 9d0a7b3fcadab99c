"""`fluxops explain` against the real kube-apiserver, controller logs through `pods/log`.

Scenarios, each created with status written through the status subresource: a source failing
(GitRepository auth error -> Kustomization infra), a dependency not ready (apps dependsOn
infra), a Deployment in a Kustomization's inventory not rolled out, a HelmRelease whose upgrade
failed. The Flux controllers are Deployments and Pods in a namespace of their own, on a Node
whose kubelet is the stand-in of tests/cluster/kubelet_stub.py; the log lines explain picks are
compared with what the real `flux logs` (v2.9) prints from the same API server.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fluxops import api
from fluxops.cluster.client import connect
from fluxops.cluster.controller_logs import object_log_lines, read_controller_logs
from fluxops.output.envelope import schema_errors
from fluxops.output.explain import to_data
from fluxops.output.registry import render
from tests.cluster import controllers as c
from tests.cluster.flux_objects import create_with_status, ensure_namespaces
from tests.cluster.kubelet_stub import KubeletStub
from tests.gotools import go_tool
from tests.unit.status import objects as o

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

FLUX = "ex-flux"
APPS = "ex-apps"
SYSTEM = "ex-flux-system"  # where the controllers run (--flux-namespace)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
IMAGE = "ghcr.io/fluxcd/{}:v1.7.0"
AUTH = "authentication required: invalid credentials for https://github.com/acme/infra"


def _line(ts: str, level: str, msg: str, kind: str, name: str, ns: str, **extra: Any) -> str:
    entry = {
        "level": level,
        "ts": ts,
        "msg": msg,
        "controller": kind.lower(),
        "controllerGroup": "kustomize.toolkit.fluxcd.io",
        "controllerKind": kind,
        kind: {"name": name, "namespace": ns},
        "namespace": ns,
        "name": name,
        "reconcileID": "3f1c",
        **extra,
    }
    return json.dumps(entry)


KUSTOMIZE_LOG = (
    "\n".join(
        [
            "flag provided but not defined: -x (plain text: skipped)",
            _line(
                "2025-06-01T11:50:00.000Z",
                "info",
                "All dependencies are ready",
                "Kustomization",
                "web",
                FLUX,
            ),
            _line(
                "2025-06-01T11:51:00.000Z",
                "error",
                "Reconciliation failed",
                "Kustomization",
                "infra",
                FLUX,
                error="Source artifact not found",
            ),
            _line(
                "2025-06-01T11:52:00.000Z",
                "info",
                "Dependencies do not meet ready condition, retrying in 30s",
                "Kustomization",
                "apps",
                FLUX,
            ),
            # the older key flux logs also reads, and a name in another case: both match
            json.dumps(
                {
                    "level": "info",
                    "ts": "2025-06-01T11:53:00.000Z",
                    "msg": "dependency 'ex-flux/infra' is not ready",
                    "reconciler kind": "Kustomization",
                    "name": "APPS",
                    "namespace": FLUX,
                }
            ),
            _line(
                "2025-06-01T11:54:00.000Z",
                "info",
                "same name, other namespace",
                "Kustomization",
                "apps",
                "elsewhere",
            ),
            _line(
                "2025-06-01T11:55:00.000Z",
                "info",
                "Dependencies do not meet ready condition, retrying in 30s",
                "Kustomization",
                "apps",
                FLUX,
            ),
            "{not json: flux logs stops reading this controller here",
            _line("2025-06-01T11:56:00.000Z", "info", "never shown", "Kustomization", "apps", FLUX),
        ]
    )
    + "\n"
)
HELM_LOG = (
    "\n".join(
        [
            _line(
                "2025-06-01T11:40:00.000Z",
                "error",
                "Helm upgrade failed",
                "HelmRelease",
                "podinfo",
                APPS,
                error="context deadline exceeded",
            ),
            _line(
                "2025-06-01T11:41:00.000Z", "info", "release in-sync", "HelmRelease", "other", APPS
            ),
        ]
    )
    + "\n"
)
SOURCE_LOG = (
    "\r\n".join(  # CRLF line ends: Go's scanner drops the \r
        [
            _line(
                "2025-06-01T11:30:00.000Z",
                "error",
                "Reconciler error",
                "GitRepository",
                "broken",
                FLUX,
                error=AUTH,
            ),
            # keys matched ignoring case, as Go's encoding/json does
            json.dumps(
                {
                    "TS": "2025-06-01T11:31:00.000Z",
                    "Level": "info",
                    "MSG": "case-folded",
                    "ControllerKind": "GitRepository",
                    "NAME": "broken",
                    "Namespace": FLUX,
                }
            ),
            # a name that is not a string: Go's decoder fails and flux stops reading this log
            json.dumps(
                {
                    "ts": "x",
                    "msg": "wrong type",
                    "controllerKind": "GitRepository",
                    "name": 5,
                    "namespace": FLUX,
                }
            ),
            _line(
                "2025-06-01T11:32:00.000Z", "info", "never shown", "GitRepository", "broken", FLUX
            ),
        ]
    )
    + "\r\n"
)


def _scenario() -> list[dict[str, Any]]:
    web_inventory = [
        (f"{APPS}_web_apps_Deployment", "v1"),
        (f"{APPS}_web_{''}_Service", "v1"),
        (f"{APPS}_gone_{''}_ConfigMap", "v1"),
        (f"{APPS}_web-creds_{''}_Secret", "v1"),
    ]
    return [
        o.git_repository("repo", FLUX),
        o.git_repository("broken", FLUX, failing=AUTH, artifact=False, at=o.T1),
        o.kustomization(
            "infra",
            FLUX,
            source=("GitRepository", "broken"),
            ready="False",
            reason="ArtifactFailed",
            message="Source artifact not found, retrying in 30s",
            at=o.T1,
        ),
        o.kustomization(
            "apps",
            FLUX,
            source=("GitRepository", "repo"),
            depends_on=["infra"],
            ready="False",
            reason="DependencyNotReady",
            message=f"dependency '{FLUX}/infra' is not ready",
            at=o.T2,
        ),
        o.kustomization(
            "web",
            FLUX,
            source=("GitRepository", "repo"),
            applied=o.git_revision("main", f"{FLUX}/repo"),
            inventory=web_inventory,
        ),
        o.helm_repository("podinfo", FLUX),
        o.helm_release(
            "podinfo",
            APPS,
            repository=("podinfo", FLUX),
            failed_upgrade_to="6.6.0",
            deployed="6.5.3",
            at=o.T2,
        ),
    ]


def _workloads() -> list[dict[str, Any]]:
    web = c.deployment(
        "web", APPS, "ghcr.io/stefanprodan/podinfo:6.5.3", available=False, part_of=False
    )
    web["spec"]["replicas"] = 2
    web["status"]["replicas"] = 2
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": APPS},
        "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}},
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "web-creds", "namespace": APPS},
        "stringData": {"password": "hunter2-very-secret"},
    }
    out = [web, service, secret]
    for name in ("helm-controller", "kustomize-controller", "source-controller"):
        out.append(c.deployment(name, SYSTEM, IMAGE.format(name)))
        out.append(c.pod(f"{name}-7d9f-abcde", SYSTEM, name, IMAGE.format(name)))
    # an older pod of kustomize-controller that is not ready: flux logs reads the ready one
    out.append(
        c.pod(
            "kustomize-controller-5c4b-old01",
            SYSTEM,
            "kustomize-controller",
            IMAGE.format("kustomize-controller"),
            ready=False,
        )
    )
    return out


@pytest.fixture(scope="module")
def stub(cluster: LiveCluster) -> Iterator[KubeletStub]:
    with KubeletStub(cluster.workdir) as s:
        s.logs[(SYSTEM, "kustomize-controller-7d9f-abcde", "manager")] = KUSTOMIZE_LOG
        s.logs[(SYSTEM, "kustomize-controller-5c4b-old01", "manager")] = _line(
            "2025-06-01T11:00:00.000Z", "info", "old pod", "Kustomization", "apps", FLUX
        )
        s.logs[(SYSTEM, "helm-controller-7d9f-abcde", "manager")] = HELM_LOG
        s.logs[(SYSTEM, "source-controller-7d9f-abcde", "manager")] = SOURCE_LOG
        yield s


@pytest.fixture(scope="module")
def scenario(cluster: LiveCluster, stub: KubeletStub) -> None:
    client = cluster.admin()
    try:
        ensure_namespaces(client, (FLUX, APPS, SYSTEM))
        create_with_status(client, _scenario())
        c.register_node(client, stub)
        c.create(client, _workloads())
    finally:
        client.close()


def _explain(cluster: LiveCluster, target: str, **kw: Any) -> Any:
    return api.explain(
        api.ExplainRequest(
            target=target,
            kubeconfig=cluster.kubeconfig,
            context="admin",
            flux_namespace=SYSTEM,
            now=NOW,
            **kw,
        )
    )


def test_controller_logs_read_through_the_api_server(
    cluster: LiveCluster, scenario: None, stub: KubeletStub
) -> None:
    with connect(cluster.kubeconfig, "admin") as client:
        logs = read_controller_logs(client, SYSTEM)
    assert [log.deployment for log in logs] == [
        "helm-controller",
        "kustomize-controller",
        "source-controller",
    ]
    kustomize = logs[1]
    assert kustomize.pod == "kustomize-controller-7d9f-abcde"  # the ready pod, not the old one
    assert kustomize.error == "" and kustomize.text == KUSTOMIZE_LOG
    assert any(
        "/containerLogs/ex-flux-system/kustomize-controller-7d9f-abcde/manager" in r
        for r in stub.requests
    )


def _flux_logs(cluster: LiveCluster, kind: str, name: str, namespace: str) -> list[str]:
    flux = go_tool("flux")  # the real flux CLI (v2.9), built by scripts/build-go-tools.sh
    proc = subprocess.run(
        [
            str(flux),
            "logs",
            "--kind",
            kind,
            "--name",
            name,
            "-n",
            namespace,
            "--flux-namespace",
            SYSTEM,
            "--kubeconfig",
            cluster.kubeconfig,
            "--context",
            "admin",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.parametrize(
    ("kind", "name", "namespace"),
    [
        ("Kustomization", "apps", FLUX),
        ("kustomization", "INFRA", FLUX),
        ("HelmRelease", "podinfo", APPS),
        ("GitRepository", "broken", FLUX),
        ("Kustomization", "apps", "elsewhere"),
    ],
)
def test_log_filter_matches_flux_logs(
    cluster: LiveCluster, scenario: None, kind: str, name: str, namespace: str
) -> None:
    with connect(cluster.kubeconfig, "admin") as client:
        logs = object_log_lines(read_controller_logs(client, SYSTEM), kind, name, namespace)
    ours = [entry.format() for log in logs for entry in log.entries]
    assert ours == _flux_logs(cluster, kind, name, namespace)
    assert ours  # every case has lines


def test_explain_dependency_not_ready(cluster: LiveCluster, scenario: None) -> None:
    result = _explain(cluster, f"Kustomization/{FLUX}/apps")
    assert result.exit_code == 1 and result.found and result.state == "Failed"
    assert result.reason == "DependencyNotReady"
    assert result.blocked_by == [f"GitRepository/{FLUX}/broken"]
    ids = [link.id for link in result.chain]
    # root cause first, then the dependency it blocks, then the healthy source
    assert ids[0] == f"GitRepository/{FLUX}/broken" and result.chain[0].root_cause
    assert ids.index(f"Kustomization/{FLUX}/infra") < ids.index(f"GitRepository/{FLUX}/repo")
    infra = next(link for link in result.chain if link.id.endswith("/infra"))
    assert infra.via == "dependsOn" and not infra.root_cause
    assert result.next_commands[0] == f"fluxops explain GitRepository/{FLUX}/broken"
    messages = [line.message for line in result.logs.lines]
    assert messages == [
        "Dependencies do not meet ready condition, retrying in 30s",
        f"dependency '{FLUX}/infra' is not ready",
        "Dependencies do not meet ready condition, retrying in 30s",
    ]
    ready = next(cond for cond in result.conditions if cond.type == "Ready")
    assert ready.age == "60m"  # T2 11:00 -> NOW 12:00
    text = render(result, "text").stdout
    assert "Blocking chain (root cause first):" in text
    assert f"root cause GitRepository/{FLUX}/broken [sourceRef]: Failed" in text


def test_explain_source_failing(cluster: LiveCluster, scenario: None) -> None:
    result = _explain(cluster, f"ks/{FLUX}/infra")
    assert result.exit_code == 1 and result.reason == "ArtifactFailed"
    assert [link.id for link in result.chain] == [f"GitRepository/{FLUX}/broken"]
    assert result.chain[0].root_cause and AUTH in result.chain[0].message
    source = _explain(cluster, f"GitRepository/{FLUX}/broken")
    assert source.root_cause and source.chain == []
    assert [line.message for line in source.logs.lines] == ["Reconciler error", "case-folded"]
    assert source.logs.lines[0].error == AUTH
    assert any(cmd.startswith("flux reconcile source git broken") for cmd in source.next_commands)


def test_explain_inventory_not_rolled_out(cluster: LiveCluster, scenario: None) -> None:
    result = _explain(cluster, f"Kustomization/{FLUX}/web")
    assert result.state == "Ready" and result.exit_code == 1  # ready, but its objects are not
    assert result.inventory is not None and result.inventory.total == 4
    unhealthy = {u.id: (u.status, u.message) for u in result.inventory.unhealthy}
    assert unhealthy == {
        f"Deployment/{APPS}/web": ("InProgress", "ReplicaSet not Available"),
        f"ConfigMap/{APPS}/gone": ("NotFound", "in the inventory but not in the cluster"),
    }
    assert f"kubectl -n {APPS} describe deployment web" in result.next_commands


def test_explain_helmrelease_upgrade_failed(cluster: LiveCluster, scenario: None) -> None:
    result = _explain(cluster, f"HelmRelease/{APPS}/podinfo", log_lines=1)
    assert result.exit_code == 1 and result.reason == "UpgradeFailed"
    assert result.history is not None
    assert [(h.version, h.status, h.chart_version) for h in result.history] == [
        (3, "failed", "6.6.0"),
        (2, "deployed", "6.5.3"),
    ]
    assert [line.message for line in result.logs.lines] == ["Helm upgrade failed"]
    data = to_data(result)
    assert data["history"][0]["chartVersion"] == "6.6.0"
    assert data["logs"]["lines"][0]["controller"] == "helm-controller"
    assert data["nextCommands"] == result.next_commands and data["summary"]["exitCode"] == 1
    assert data["kind"] == "ExplainResult" and schema_errors(data) == []


def test_explain_not_found_suggests(cluster: LiveCluster, scenario: None) -> None:
    result = _explain(cluster, f"Kustomization/{FLUX}/app")
    assert result.exit_code == 2 and not result.found
    assert f"Kustomization/{FLUX}/apps" in result.suggestions
    assert "did you mean" in result.error_hint


def test_explain_unreachable(tmp_path: Path, cluster: LiveCluster) -> None:
    text = Path(cluster.kubeconfig).read_text().replace(cluster.server, "https://127.0.0.1:1")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(text)
    result = api.explain(
        api.ExplainRequest(
            f"ks/{FLUX}/apps", kubeconfig=str(kubeconfig), context="admin", timeout=2
        )
    )
    assert result.exit_code == 2 and result.error


def test_snapshot_keeps_logs_and_drops_secret_data(
    cluster: LiveCluster, scenario: None, tmp_path: Path
) -> None:
    path = tmp_path / "snap.yaml"
    summary = api.snapshot(
        api.SnapshotRequest(
            output=str(path), kubeconfig=cluster.kubeconfig, context="admin", flux_namespace=SYSTEM
        )
    )
    assert summary.controller_logs == [
        "helm-controller",
        "kustomize-controller",
        "source-controller",
    ]
    text = path.read_text()
    # the scenario's Secret (other tests of the session may leave more in the cluster)
    assert summary.secrets_stripped >= 1 and "web-creds" in text
    assert "hunter2-very-secret" not in text and "aHVudGVyMi" not in text
    assert "Dependencies do not meet ready condition" in text
    live = _explain(cluster, f"Kustomization/{FLUX}/apps")
    snap = api.explain(
        api.ExplainRequest(f"Kustomization/{FLUX}/apps", snapshot=str(path), now=NOW)
    )
    assert snap.logs.source == "snapshot"
    assert [x.text for x in snap.logs.lines] == [x.text for x in live.logs.lines]
    assert [link.id for link in snap.chain] == [link.id for link in live.chain]
    web = api.explain(api.ExplainRequest(f"Kustomization/{FLUX}/web", snapshot=str(path), now=NOW))
    assert web.inventory is not None
    assert {u.id for u in web.inventory.unhealthy} == {
        f"Deployment/{APPS}/web",
        f"ConfigMap/{APPS}/gone",
    }


def _grant_reader(client: Any, namespace: str) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.models.rbac_v1 import PolicyRule, RoleRef, Subject
    from lightkube.resources.rbac_authorization_v1 import Role, RoleBinding

    client.apply(
        Role(
            metadata=ObjectMeta(name="read-all", namespace=namespace),
            rules=[PolicyRule(apiGroups=["*"], resources=["*"], verbs=["get", "list", "watch"])],
        )
    )
    client.apply(
        RoleBinding(
            metadata=ObjectMeta(name="reader-read-all", namespace=namespace),
            roleRef=RoleRef(apiGroup="rbac.authorization.k8s.io", kind="Role", name="read-all"),
            subjects=[Subject(apiGroup="rbac.authorization.k8s.io", kind="User", name="reader")],
        )
    )


def test_explain_as_a_user_who_may_not_read_logs(cluster: LiveCluster, scenario: None) -> None:
    """`reader` may read namespace ex-reader (and its context's team-a) only: not cluster-wide
    lists, not the controllers' namespace. The object is explained, the logs are a note."""
    team = "ex-reader"
    client = cluster.admin()
    try:
        ensure_namespaces(client, [team])
        _grant_reader(client, team)
        create_with_status(
            client,
            [
                o.git_repository("ex-src", team),
                o.kustomization(
                    "ex-app", team, source=("GitRepository", "ex-src"), applied="main@sha1:1"
                ),
            ],
        )
    finally:
        client.close()
    result = api.explain(
        api.ExplainRequest(
            f"ks/{team}/ex-app",
            kubeconfig=cluster.kubeconfig,
            context=cluster.reader_context,
            flux_namespace=SYSTEM,
            now=NOW,
        )
    )
    assert result.found and result.exit_code == 0 and result.state == "Ready"
    assert [link.id for link in result.chain] == [f"GitRepository/{team}/ex-src"]
    assert not result.logs.read
    assert "could not read the Flux controllers' logs" in result.logs.notes[0]
    assert "forbidden" in result.logs.notes[0].lower()
