"""The envelope (docs/json.md) of the verbs that read a cluster, against the real API server:
status, snapshot, drift, explain and check validate against the schemas of their kinds; `summary.exitCode` is
the exit status; the reader (RBAC: one namespace) gets a cluster-forbidden finding, not a
crash; -A is accepted where a cluster is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fluxops.output.envelope import API_VERSION, schema_errors

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "podinfo-platform"


def run(cluster: LiveCluster, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run(
        [sys.executable, "-m", "fluxops", *args, "--kubeconfig", cluster.kubeconfig],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def envelope(proc: subprocess.CompletedProcess[str], kind: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(proc.stdout)
    assert doc["apiVersion"] == API_VERSION and doc["kind"] == kind, proc.stderr
    assert schema_errors(doc) == []
    assert doc["summary"]["exitCode"] == proc.returncode
    return doc


def test_status_json(cluster: LiveCluster, tmp_path: Path) -> None:
    proc = run(cluster, tmp_path, "status", "--context", cluster.admin_context, "-A", "-o", "json")
    assert proc.returncode in (0, 1), proc.stderr
    envelope(proc, "StatusResult")


def test_status_of_a_reader_limited_by_rbac(cluster: LiveCluster, tmp_path: Path) -> None:
    proc = run(cluster, tmp_path, "status", "--context", cluster.reader_context, "-o", "json")
    doc = envelope(proc, "StatusResult")
    assert doc["summary"]["warnings"] >= 1
    assert {f["code"] for f in doc["findings"]} == {"cluster-forbidden"}


def test_snapshot_to_a_file_prints_its_envelope(cluster: LiveCluster, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    args = ["snapshot", "--context", cluster.admin_context, "--file", str(path), "-o", "json"]
    proc = run(cluster, tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    doc = envelope(proc, "SnapshotResult")
    assert doc["file"] == str(path) and doc["bytes"] == path.stat().st_size
    assert json.loads(path.read_text())["kind"] == "List"
    plain = run(cluster, tmp_path, "snapshot", "--context", cluster.admin_context, "-o", "json")
    assert json.loads(plain.stdout)["kind"] == "List"  # -o is the format of the snapshot


def test_drift_json_against_the_live_cluster(cluster: LiveCluster, tmp_path: Path) -> None:
    import yaml

    from tests.cluster.drift_support import Kube

    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    try:  # what apps substitutes from (postBuild.substituteFrom), as Flux finds it
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}})
        kube.apply(yaml.safe_load((EXAMPLE / "clusters/staging/cluster-vars.yaml").read_text()))
    finally:
        kube.close()
    args = ["drift", str(EXAMPLE), "--ks", "apps", "--cluster", "clusters/staging"]
    proc = run(cluster, tmp_path, *args, "--context", cluster.admin_context, "-o", "json")
    doc = envelope(proc, "DriftResult")
    assert doc["summary"]["objects"] == len(doc["objects"]) > 0


def test_explain_json_and_yaml(cluster: LiveCluster, tmp_path: Path) -> None:
    """A Kustomization stalled by its failing source (exit 1), the source (as YAML), and one
    that does not exist (exit 2, a not-found finding)."""
    import yaml

    from tests.cluster.flux_objects import create_with_status, ensure_namespaces
    from tests.unit.status import objects as o

    ns = f"env-{tmp_path.name[-6:].lower().replace('_', '-').strip('-') or 'x'}"
    client = cluster.admin()
    try:
        ensure_namespaces(client, (ns,))
        create_with_status(
            client,
            [
                o.git_repository("broken", ns, failing="authentication required", artifact=False),
                o.kustomization(
                    "apps",
                    ns,
                    source=("GitRepository", "broken"),
                    ready="False",
                    reason="ArtifactFailed",
                    message="Source artifact not found",
                ),
            ],
        )
    finally:
        client.close()
    context = ["--context", cluster.admin_context, "--no-logs"]
    proc = run(cluster, tmp_path, "explain", f"Kustomization/{ns}/apps", *context, "-o", "json")
    assert proc.returncode == 1, proc.stderr
    doc = envelope(proc, "ExplainResult")
    assert doc["summary"]["found"] is True and doc["summary"]["ready"] is False
    assert doc["summary"]["blockedBy"] == len(doc["blockedBy"]) == 1
    ready = run(cluster, tmp_path, "explain", f"GitRepository/{ns}/broken", *context, "-o", "yaml")
    as_yaml = yaml.safe_load(ready.stdout)
    assert as_yaml["kind"] == "ExplainResult" and schema_errors(as_yaml) == []
    assert as_yaml["summary"]["exitCode"] == ready.returncode
    missing = run(cluster, tmp_path, "explain", f"Kustomization/{ns}/nope", *context, "-o", "json")
    doc = envelope(missing, "ExplainResult")
    assert missing.returncode == 2 and [f["code"] for f in doc["findings"]] == ["not-found"]


def test_check_json(cluster: LiveCluster, tmp_path: Path) -> None:
    args = ["check", str(EXAMPLE), "--context", cluster.admin_context, "-o", "json"]
    proc = run(cluster, tmp_path, *args)
    assert proc.returncode in (0, 1), proc.stderr
    doc = envelope(proc, "CheckResult")
    assert doc["summary"]["repoApiVersions"] == len(doc["repoApiVersions"]) > 0
    assert doc["summary"]["controllers"] == len(doc["controllers"])
