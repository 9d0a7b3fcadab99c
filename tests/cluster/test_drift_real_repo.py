"""Drift on a real repository's Kustomization, judged as its parent renders it.

The home-ops fixture's `kube-system/metrics-server` is a HelmRelease and its OCIRepository. Its
file (`ks.yaml`) has no namespace, and its parent, `cluster-apps`, patches every HelmRelease
(install, rollback and upgrade settings). Here it is applied to the real API server as
kustomize-controller applies it (the Kustomization as the parent renders it, server-side
apply by `kustomize-controller`, owner labels, the inventory in its status). Then:

- fluxops finds it through its parents and calls both objects in sync (both modes, exit 0);
- the real `flux diff` agrees when it is given the Kustomization as the parent renders it;
- given the repository's own `ks.yaml`, `flux diff` reports the parent's patches as drift on
  objects that are in sync (exit 1): the reason fluxops walks the parents;
- a hand edit of a field the parent's patch sets is drift for fluxops, named by its path.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fluxops import api
from fluxops.goyaml import dump as go_dump
from fluxops.model.results import KustomizationBuild
from tests.cluster.drift_scenario import inventory_entry
from tests.cluster.drift_support import Kube
from tests.cluster.test_drift import flux_binary
from tests.conftest import FIXTURE_REPOS, require_fixture_repos

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = [pytest.mark.cluster, pytest.mark.fidelity]

NS, NAME = "kube-system", "metrics-server"
FOLDER = "kubernetes/apps/kube-system/metrics-server"
KS_API = "kustomize.toolkit.fluxcd.io/v1"


@pytest.fixture(scope="module")
def applied(
    cluster: LiveCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, KustomizationBuild]]:
    """A copy of the repository (flux may write into the one it reads), its Kustomization
    applied as kustomize-controller would; removed afterwards."""
    require_fixture_repos()
    copy = tmp_path_factory.mktemp("real") / "home-ops"
    shutil.copytree(FIXTURE_REPOS / "onedr0p__home-ops", copy)
    [build] = api.build(api.BuildRequest(path=str(copy), ks=f"{NS}/{NAME}")).builds
    assert build.status == "ok", build.error
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    for obj in build.objects:
        kube.apply(obj.raw)
    kube.apply(build.kustomization.raw, manager="fluxops-tests")
    kube.patch(
        KS_API,
        "Kustomization",
        NS,
        NAME,
        {"status": {"inventory": {"entries": [inventory_entry(o.raw) for o in build.objects]}}},
        manager="kustomize-controller",
        subresource="status",
    )
    yield copy, build
    for obj in build.objects:
        kube.delete(obj.raw["apiVersion"], obj.kind, NS, obj.name)
    kube.delete(KS_API, "Kustomization", NS, NAME)


def drift(cluster: LiveCluster, copy: Path, mode: str, cache: bool = True) -> api.DriftResult:
    return api.drift(
        api.DriftRequest(
            path=str(copy),
            ks=f"{NS}/{NAME}",
            kubeconfig=cluster.kubeconfig,
            context="admin",
            mode=mode,
            timeout=20,
            cache=cache,
        )
    )


def flux_diff(cluster: LiveCluster, copy: Path, ks_file: Path) -> tuple[int, str]:
    command = [str(flux_binary()), "diff", "kustomization", NAME, "-n", NS]
    command += ["--path", str(copy / FOLDER / "app"), "--kustomization-file", str(ks_file)]
    command += ["--kubeconfig", cluster.kubeconfig, "--context", "admin", "--progress-bar=false"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("mode", ["fields", "server"])
def test_in_sync_as_the_parent_renders_it(
    cluster: LiveCluster, applied: tuple[Path, KustomizationBuild], mode: str
) -> None:
    copy, build = applied
    # the parent's patch reached the HelmRelease: what the walk through the parents is for
    [release] = [o for o in build.objects if o.kind == "HelmRelease"]
    assert release.raw["spec"]["upgrade"]["remediation"]["retries"] == 2
    result = drift(cluster, copy, mode)
    verdicts = {o.id.short(): o.verdict for o in result.objects}
    assert verdicts == {
        f"HelmRelease/{NS}/{NAME}": "in-sync",
        f"OCIRepository/{NS}/{NAME}": "in-sync",
    }
    assert result.exit_code == 0


def test_flux_diff_agrees_only_with_the_effective_kustomization(
    cluster: LiveCluster, applied: tuple[Path, KustomizationBuild], tmp_path: Path
) -> None:
    copy, build = applied
    effective = tmp_path / "effective-ks.yaml"
    effective.write_text(go_dump(build.kustomization.raw))  # as Go reads it
    code, output = flux_diff(cluster, copy, effective)
    assert code == 0, output
    assert "►" not in output, output
    code, output = flux_diff(cluster, copy, copy / FOLDER / "ks.yaml")
    assert code == 1, output
    drifted = set(re.findall(r"► (\S+) drifted", output))
    assert drifted == {f"HelmRelease/{NS}/{NAME}", f"OCIRepository/{NS}/{NAME}"}, output
    assert "remediation" in output  # the parent's patch, missing from the file alone


def test_a_cached_render_judges_as_a_fresh_one(
    cluster: LiveCluster,
    applied: tuple[Path, KustomizationBuild],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second `drift --ks` on an unchanged repository takes the render from the result
    cache (render/kscache.py): the same verdicts, fields and findings as a render without
    any cache."""
    copy, _ = applied
    cache = tmp_path / "cache"
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(cache))

    def judged(**kwargs: bool) -> tuple[object, ...]:
        result = drift(cluster, copy, "fields", **kwargs)
        return (
            result.exit_code,
            result.objects,  # every field of every verdict (dataclasses)
            [(f.code, f.message) for f in result.findings],
        )

    fresh = judged(cache=False)
    assert not cache.exists()
    first = judged()
    [entry] = list(cache.rglob("*.result"))
    written = entry.stat().st_mtime_ns
    second = judged()
    assert entry.stat().st_mtime_ns == written  # read, not made again
    assert fresh == first == second
    assert fresh[0] == 0


def test_a_hand_edit_of_a_patched_field_is_drift(
    cluster: LiveCluster, applied: tuple[Path, KustomizationBuild]
) -> None:
    copy, _ = applied
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    kube.patch(
        "helm.toolkit.fluxcd.io/v2",
        "HelmRelease",
        NS,
        NAME,
        {"spec": {"upgrade": {"remediation": {"retries": 7}}}},
        manager="kubectl-edit",
    )
    try:
        result = drift(cluster, copy, "fields")
        [release] = [o for o in result.objects if o.id.kind == "HelmRelease"]
        assert release.verdict == "drifted"
        paths = [d.path for d in release.differences]
        assert "spec.upgrade.remediation.retries" in paths, paths
        assert result.exit_code == 1
    finally:
        kube.patch(
            "helm.toolkit.fluxcd.io/v2",
            "HelmRelease",
            NS,
            NAME,
            {"spec": {"upgrade": {"remediation": {"retries": 2}}}},
            manager="kubectl-edit",
        )
