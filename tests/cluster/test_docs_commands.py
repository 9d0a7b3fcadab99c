"""Docs that run, the cluster part: every documented `fluxops` command that reads a live
cluster (status, snapshot, drift, explain, check without --snapshot) runs as written against the API server
fixture. The kubeconfig's current context is the fixture's admin; the contexts the docs name
(`prod`, `staging`, `production`) are aliases of it. Exit 0 or 1, never 2 or 3."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
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


def _flux(api_version: str, kind: str, namespace: str, name: str, spec: dict[str, Any]) -> Any:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


#: the objects the documented `explain` commands name, as a cluster would hold them
#: (docs/explain.md's `ex-flux` example is the scenario of tests/cluster/test_explain.py)
DOCUMENTED_OBJECTS = (
    [
        _flux(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            namespace,
            name,
            {"interval": "1m", "url": "https://github.com/acme/fleet", "ref": {"branch": "main"}},
        )
        for namespace, name in (("flux-system", "flux-system"),)
    ]
    + [
        _flux(
            "kustomize.toolkit.fluxcd.io/v1",
            "Kustomization",
            namespace,
            "apps",
            {
                "interval": "10m",
                "path": "./apps",
                "prune": True,
                "sourceRef": {"kind": "GitRepository", "name": source},
            },
        )
        for namespace, source in (("flux-system", "flux-system"),)
    ]
    + [
        _flux(
            "helm.toolkit.fluxcd.io/v2",
            "HelmRelease",
            "podinfo",
            "podinfo",
            # as examples/podinfo-platform/apps/base/podinfo/release.yaml has it
            {"interval": "10m", "chartRef": {"kind": "OCIRepository", "name": "podinfo"}},
        )
    ]
)


@pytest.fixture(scope="module")
def documented_objects(cluster: LiveCluster) -> Iterator[None]:
    """Created for this module and deleted after it: other tests of the session (the
    validate tier dry-runs fixture repos' `podinfo/podinfo`) must not meet them."""
    from tests.cluster.drift_support import Kube

    vars_cm = yaml.safe_load((EXAMPLE / "clusters/staging/cluster-vars.yaml").read_text())
    created = [*DOCUMENTED_OBJECTS, vars_cm]
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    applied: list[Any] = []
    try:
        for namespace in ("flux-system", "podinfo"):
            kube.apply(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
                "fluxops-tests",
            )
        # cluster-vars: what the example's flux-system Kustomization applied (drift reads
        # substituteFrom from the cluster, as kustomize-controller does)
        for obj in created:
            kube.apply(obj, "fluxops-tests")
            applied.append(obj)
        yield
    finally:
        for obj in applied:
            meta = obj["metadata"]
            kube.delete(obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])
        kube.close()


@pytest.mark.usefixtures("documented_objects")
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
