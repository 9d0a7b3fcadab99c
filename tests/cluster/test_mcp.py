"""`fluxops mcp` against the real kube-apiserver: every tool called through a real stdio
session, status, drift, explain and check on a cluster with drift, and the proof that no call wrote anything
(the resourceVersions of every object involved are unchanged after each call)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from fluxops import api
from tests.cluster import drift_scenario as sc
from tests.cluster.drift_support import Kube
from tests.mcp.session import TOOLS, check_annotations, check_result, stdio_session

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def kube(cluster: LiveCluster) -> Iterator[Kube]:
    k = Kube(cluster.kubeconfig, cluster.admin_context)
    k.apply(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
        "fluxops-tests",
    )
    yield k
    k.close()


def test_every_tool_reads_the_cluster_and_writes_nothing(
    cluster: LiveCluster, kube: Kube, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    ns, ks = f"mcp-{suffix}", f"apps-{suffix}"
    repo = tmp_path / "repo"
    sc.write_repo(repo, ns, ks, 1)
    sc.apply_as_flux(kube, ns, ks)
    sc.write_repo(repo, ns, ks, 2)
    sc.edit_live(kube, ns, ks)
    namespaces = [ns, "flux-system"]
    api.snapshot(
        api.SnapshotRequest(
            output=str(tmp_path / "live.yaml"),
            kubeconfig=cluster.kubeconfig,
            context=cluster.admin_context,
        )
    )
    calls: list[tuple[str, dict[str, Any]]] = [
        ("status", {"context": cluster.admin_context}),
        ("status", {"context": cluster.admin_context, "namespace": "flux-system"}),
        ("drift", {"path": "repo", "ks": f"flux-system/{ks}", "context": "admin"}),
        ("drift", {"path": "repo", "ks": f"flux-system/{ks}", "mode": "server"}),
        ("status", {"snapshot": "live.yaml"}),
        ("drift", {"path": "repo", "ks": f"flux-system/{ks}", "snapshot": "live.yaml"}),
        ("build", {"path": "repo", "ks": f"flux-system/{ks}", "objects": True}),
        ("validate", {"path": "repo"}),
        ("lint", {"path": "repo"}),
        ("list", {"path": "repo"}),
        ("values_diff", {"path": "repo", "envs": ["clusters/test", "apps"], "all_releases": True}),
        ("explain", {"object": f"Kustomization/flux-system/{ks}", "context": "admin"}),
        ("explain", {"object": f"ks/flux-system/{ks}", "snapshot": "live.yaml", "logs": False}),
        ("check", {"path": "repo", "context": "admin"}),
    ]
    answers: dict[str, list[dict[str, Any]]] = {}
    changed: list[str] = []

    async def run() -> None:
        async with stdio_session(tmp_path, tmp_path, "--kubeconfig", cluster.kubeconfig) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                check_annotations(tool)
            for name, args in calls:
                before = kube.resource_versions(namespaces)
                result = await session.call_tool(name, args)
                after = kube.resource_versions(namespaces)
                if after != before:
                    changed.append(f"{name} {args}")
                answers.setdefault(name, []).append(check_result(tools[name], result))

    anyio.run(run)
    assert changed == []
    status = answers["status"][0]
    assert status["summary"]["clusters"] == 1
    assert status["clusters"][0]["name"] == "admin"
    assert answers["status"][1]["page"]["lists"]["clusters"]["total"] == 1
    from_snapshot = answers["status"][2]
    assert from_snapshot["summary"]["exitCode"] == status["summary"]["exitCode"]
    assert len(answers["drift"]) == 3
    for drift in answers["drift"]:
        assert drift["summary"]["exitCode"] == 1
        assert drift["page"]["truncated"] is False
    live, from_file = answers["explain"]
    assert live["kind"] == "ExplainResult" and live["target"] == f"Kustomization/flux-system/{ks}"
    assert live["summary"]["found"] is True and from_file["summary"]["found"] is True
    assert live["summary"]["exitCode"] in (0, 1)
    (check,) = answers["check"]
    assert check["kind"] == "CheckResult" and check["summary"]["repoApiVersions"] > 0
    text = str(answers["drift"])
    assert "web-scaled" in text
    for secret in ("s3cr3t-v4lue", "changed-by-hand", "admin-user"):
        assert secret not in text, "a Secret value reached an MCP answer"
        assert secret not in str(answers["build"])
