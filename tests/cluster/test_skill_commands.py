"""The skill's cluster commands (status, snapshot, drift, explain, check), run as written from a copy of
examples/ against the real API server (KUBECONFIG points at it; its current context is admin).
The repository commands run in tests/e2e/test_skill.py."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tests.cluster import drift_scenario as sc
from tests.cluster.drift_support import Kube
from tests.cluster.flux_objects import create_with_status, ensure_namespaces
from tests.conftest import EXAMPLE
from tests.e2e.skill_commands import block_commands, is_pending, needs_cluster
from tests.unit.status import objects as o

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster


def _create_the_objects_the_skill_explains(cluster: LiveCluster) -> list[dict[str, Any]]:
    """Kustomization flux-system/apps and HelmRelease podinfo/podinfo as in
    examples/podinfo-platform, with a controller's status (Ready), unless there already;
    returns those it created (the test deletes them: the validate tier dry-runs fixture
    repos' `podinfo/podinfo` later in the session)."""
    from lightkube import ApiError

    client = cluster.admin()
    created: list[dict[str, Any]] = []
    try:
        ensure_namespaces(client, ("flux-system", "podinfo"))
        wanted = [
            o.kustomization("apps", "flux-system", path="./apps/staging"),
            o.helm_release("podinfo", "podinfo"),
        ]
        for obj in wanted:
            try:
                create_with_status(client, [obj])
                created.append(obj)
            except ApiError as exc:
                if exc.status.code != 409:  # created by an earlier run on this server
                    raise
    finally:
        client.close()
    return created


def test_every_cluster_command_of_the_skill_runs(cluster: LiveCluster, tmp_path: Path) -> None:
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    try:  # Flux objects for status and snapshot to find
        kube.apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
            "fluxops-tests",
        )
        suffix = tmp_path.name[-6:].lower().replace("_", "-").strip("-") or "x"
        sc.apply_as_flux(kube, f"skill-{suffix}", f"apps-{suffix}")
        # what the clusters/staging Kustomizations substitute from (postBuild.substituteFrom)
        kube.apply(yaml.safe_load((EXAMPLE / "clusters/staging/cluster-vars.yaml").read_text()))
    finally:
        kube.close()
    created = _create_the_objects_the_skill_explains(cluster)
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    env = dict(os.environ, KUBECONFIG=cluster.kubeconfig, FLUXOPS_CACHE_DIR=str(tmp_path / "c"))
    commands = [c for c in block_commands() if needs_cluster(c) and not is_pending(c)]
    verbs = {shlex.split(c)[1] for c in commands}
    assert verbs == {"status", "snapshot", "drift", "explain", "check"}
    try:
        for command in commands:
            proc = subprocess.run(
                [sys.executable, "-m", "fluxops", *shlex.split(command)[1:]],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode in (0, 1), f"{command}: exit {proc.returncode}\n{proc.stderr}"
            assert "internal error" not in proc.stderr, command
        assert (repo / "live.yaml").is_file()
    finally:
        cleanup = Kube(cluster.kubeconfig, cluster.admin_context)
        try:
            for obj in created:
                meta = obj["metadata"]
                cleanup.delete(obj["apiVersion"], obj["kind"], meta["namespace"], meta["name"])
        finally:
            cleanup.close()
