"""`fluxops init` end to end: what it writes lints, builds and validates clean; it never
overwrites a file; --dry-run writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_init_writes_a_layout_that_passes_lint_build_and_validate(
    fluxops: Run, tmp_path: Path
) -> None:
    repo = tmp_path / "fleet"
    proc = fluxops(
        "init",
        str(repo),
        "--cluster",
        "staging",
        "--envs",
        "staging,production",
        "-o",
        "json",
        check_code=0,
    )
    data = json.loads(proc.stdout)
    assert sorted(data["created"]) == sorted(tree(repo))
    assert data["nextCommand"].startswith("flux bootstrap git ")
    assert "--path=clusters/staging" in data["nextCommand"]
    apps = yaml.safe_load((repo / "clusters/staging/apps.yaml").read_text())
    assert apps["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
    assert apps["spec"]["prune"] is True
    assert apps["spec"]["path"] == "./apps/staging"
    assert apps["spec"]["dependsOn"] == [{"name": "infrastructure"}]
    assert apps["spec"]["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}
    for env in ("staging", "production"):
        assert (repo / f"apps/{env}/kustomization.yaml").is_file()
        assert (repo / f"infrastructure/{env}/kustomization.yaml").is_file()

    lint = json.loads(fluxops("lint", str(repo), "-o", "json", "--fail-on", "info").stdout)
    assert lint["findings"] == [] and lint["summary"]["kustomizationsFailed"] == 0
    build = json.loads(fluxops("build", "--all", str(repo), "-o", "json", check_code=0).stdout)
    assert (build["summary"]["ok"], build["summary"]["failed"]) == (2, 0)
    assert build["findings"] == []
    assert all(k["status"] == "ok" and k["error"] is None for k in build["kustomizations"])
    fluxops("validate", str(repo), "--fail-on", "info", check_code=0)


def test_init_never_overwrites_and_adds_a_second_cluster(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "fleet"
    fluxops("init", str(repo), "--cluster", "staging", check_code=0)
    edited = repo / "apps/base/kustomization.yaml"
    edited.write_text("resources: [podinfo]\n")
    before = tree(repo)
    proc = fluxops("init", str(repo), "--cluster", "production", check_code=0)
    after = tree(repo)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {
        "clusters/production/apps.yaml",
        "clusters/production/infrastructure.yaml",
    }
    assert "kept     apps/base/kustomization.yaml" in proc.stdout
    prod = yaml.safe_load((repo / "clusters/production/apps.yaml").read_text())
    assert prod["spec"]["path"] == "./apps/production"


def test_dry_run_writes_nothing(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "fleet"
    proc = fluxops(
        "init", str(repo), "--cluster", "dev", "--envs", "dev", "--dry-run", check_code=0
    )
    assert "would create clusters/dev/apps.yaml" in proc.stdout
    assert "flux bootstrap git" in proc.stdout
    assert not repo.exists()


def test_bad_names_and_symlinked_folders_are_refused(fluxops: Run, tmp_path: Path) -> None:
    proc = fluxops("init", str(tmp_path), "--cluster", "Prod_1", check_code=2)
    assert "--cluster 'Prod_1'" in proc.stderr
    fluxops("init", str(tmp_path), "--cluster", "a", "--envs", "x,y", "--env", "z", check_code=2)
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "apps").symlink_to(outside)
    proc = fluxops("init", str(repo), "--cluster", "staging", check_code=2)
    assert "symlink" in proc.stderr
    assert list(outside.iterdir()) == [] and not (repo / "clusters").exists()
