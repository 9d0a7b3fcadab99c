"""Docs that run, the cluster part: every documented `fluxops` command that reads a live
cluster (status, snapshot, drift without --snapshot) runs as written against the API server
fixture. The kubeconfig's current context is the fixture's admin; the contexts the docs name
(`prod`, `staging`, `production`) are aliases of it. Exit 0 or 1, never 2 or 3."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tests.docs.commands import ROOT, SKIPPED, DocCommand, doc_commands

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

ALIASES = ("prod", "staging", "production")
EXAMPLE = ROOT / "examples" / "podinfo-platform"


def kubeconfig(cluster: LiveCluster, path: Path) -> Path:
    kc: dict[str, Any] = yaml.safe_load(Path(cluster.kubeconfig).read_text())
    admin = next(c for c in kc["contexts"] if c["name"] == cluster.admin_context)
    kc["contexts"] += [{"name": alias, "context": dict(admin["context"])} for alias in ALIASES]
    kc["current-context"] = cluster.admin_context
    path.write_text(yaml.safe_dump(kc))
    return path


@pytest.mark.parametrize(
    "command",
    [c for c in doc_commands() if c.text not in SKIPPED and c.needs_cluster],
    ids=str,
)
def test_documented_cluster_command_runs(
    command: DocCommand, cluster: LiveCluster, tmp_path: Path
) -> None:
    if "examples/" in command.text:
        cwd = tmp_path / "outer"
        cwd.mkdir()
        (cwd / "examples").symlink_to(ROOT / "examples")
    else:
        cwd = tmp_path / "repo"
        shutil.copytree(EXAMPLE, cwd)
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    env["KUBECONFIG"] = str(kubeconfig(cluster, tmp_path / "kubeconfig.yaml"))
    proc = subprocess.run(
        [sys.executable, "-m", "fluxops", *command.argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), f"{command}\nexit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
