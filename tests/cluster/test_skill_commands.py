"""The skill's cluster commands (status, snapshot, drift), run as written from a copy of
examples/ against the real API server (KUBECONFIG points at it; its current context is admin).
The repository commands run in tests/e2e/test_skill.py."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.cluster import drift_scenario as sc
from tests.cluster.drift_support import Kube
from tests.conftest import EXAMPLE
from tests.e2e.skill_commands import block_commands, is_pending, needs_cluster

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster


def test_every_cluster_command_of_the_skill_runs(cluster: LiveCluster, tmp_path: Path) -> None:
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    try:  # Flux objects for status and snapshot to find
        kube.apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
            "fluxops-tests",
        )
        suffix = tmp_path.name[-6:].lower().replace("_", "-").strip("-") or "x"
        sc.apply_as_flux(kube, f"skill-{suffix}", f"apps-{suffix}")
    finally:
        kube.close()
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    env = dict(os.environ, KUBECONFIG=cluster.kubeconfig, FLUXOPS_CACHE_DIR=str(tmp_path / "c"))
    commands = [c for c in block_commands() if needs_cluster(c) and not is_pending(c)]
    assert {shlex.split(c)[1] for c in commands} == {"status", "snapshot", "drift"}
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
