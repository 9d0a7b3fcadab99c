"""The envelope (docs/json.md) of the verbs that read a cluster, against the real API server:
status, snapshot and drift validate against the schemas of their kinds; `summary.exitCode` is
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
    args = ["drift", str(EXAMPLE), "--ks", "apps", "--cluster", "clusters/staging"]
    proc = run(cluster, tmp_path, *args, "--context", cluster.admin_context, "-o", "json")
    doc = envelope(proc, "DriftResult")
    assert doc["summary"]["objects"] == len(doc["objects"]) > 0
