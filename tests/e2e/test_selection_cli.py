"""Selection as Flux users type it (tests/fixtures/selection-repo: two clusters; `common` in
both; `metrics` in alpha, its file without a namespace, put in kube-system by its parent),
and the "could not look" / "nothing to check" exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
REPO = ROOT / "tests" / "fixtures" / "selection-repo"
EXAMPLE = ROOT / "examples" / "podinfo-platform"


def objects(stdout: str) -> list[dict[str, object]]:
    return [d for d in yaml.safe_load_all(stdout) if d]


@pytest.mark.parametrize(
    "args",
    [
        ["--ks", "metrics"],
        ["--ks", "kube-system/metrics"],
        ["--ks", "metrics", "-n", "kube-system"],
    ],
)
def test_effective_name_of_a_namespace_less_kustomization(fluxops: Run, args: list[str]) -> None:
    proc = fluxops("build", str(REPO), *args, "-o", "json", check_code=0)
    (ks,) = json.loads(proc.stdout)["kustomizations"]
    assert (ks["namespace"], ks["name"], ks["cluster"]) == (
        "kube-system",
        "metrics",
        "clusters/alpha",
    )


def test_the_phantom_flux_system_name_is_not_found(fluxops: Run) -> None:
    proc = fluxops("build", str(REPO), "--ks", "flux-system/metrics", check_code=2)
    assert "no Flux Kustomization flux-system/metrics" in proc.stderr
    assert "did you mean kube-system/metrics?" in proc.stderr
    assert proc.stdout == ""


def test_unknown_ks_gets_did_you_mean(fluxops: Run) -> None:
    proc = fluxops("build", str(REPO), "--ks", "metrcs", check_code=2)
    assert "did you mean kube-system/metrics?" in proc.stderr


def test_ks_in_two_clusters_asks_which(fluxops: Run) -> None:
    proc = fluxops("build", str(REPO), "--ks", "common", check_code=2)
    assert "is in 2 clusters: clusters/alpha, clusters/beta" in proc.stderr
    assert "--cluster" in proc.stderr
    one = fluxops("build", str(REPO), "--ks", "common", "--cluster", "clusters/beta", check_code=0)
    (cm,) = objects(one.stdout)
    assert cm["data"] == {"cluster": "beta"}


@pytest.mark.parametrize("selection", [["--ks", "common"], ["--all"]])
def test_typo_in_cluster_is_exit_2_with_the_known_clusters(
    fluxops: Run, selection: list[str]
) -> None:
    proc = fluxops("build", str(REPO), *selection, "--cluster", "clusters/bta", check_code=2)
    assert "--cluster clusters/bta: no such folder" in proc.stderr
    assert "did you mean clusters/beta?" in proc.stderr
    assert "clusters/alpha, clusters/beta" in proc.stderr
    assert proc.stdout == ""


def test_ambiguous_bare_name(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for ns in ("team-a", "team-b"):
        (repo / ns).mkdir(parents=True)
        (repo / ns / "ks.yaml").write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                    "kind": "Kustomization",
                    "metadata": {"name": "apps", "namespace": ns},
                    "spec": {
                        "path": "./app",
                        "interval": "5m",
                        "prune": True,
                        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                    },
                }
            )
        )
    (repo / "app").mkdir()
    (repo / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    proc = fluxops("build", str(repo), "--ks", "apps", check_code=2)
    assert "ambiguous: team-a/apps, team-b/apps" in proc.stderr
    one = fluxops("build", str(repo), "--ks", "apps", "-n", "team-b", "-o", "json")
    assert [k["namespace"] for k in json.loads(one.stdout)["kustomizations"]] == ["team-b"]


def test_verbose_lists_every_known_name(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "many"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    docs = [
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": f"app-{i:02d}", "namespace": "flux-system"},
            "spec": {
                "path": "./app",
                "interval": "5m",
                "prune": True,
                "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            },
        }
        for i in range(40)
    ]
    (repo / "ks.yaml").write_text(yaml.safe_dump_all(docs))
    short = fluxops("build", str(repo), "--ks", "nothing-like-it", check_code=2)
    assert "40 known Kustomizations (-v lists them)" in short.stderr
    assert "app-39" not in short.stderr
    full = fluxops("build", str(repo), "--ks", "nothing-like-it", "-v", check_code=2)
    assert all(f"flux-system/app-{i:02d}" in full.stderr for i in range(40))


def test_nothing_to_check_is_said_and_exits_2(fluxops: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    for verb in ("build", "validate"):
        proc = fluxops(verb, str(empty), "--all", check_code=2)
        assert "nothing to check: no Flux Kustomization" in proc.stderr
    bare = tmp_path / "bare"
    bare.mkdir()
    assert "nothing to check" in fluxops("lint", str(bare), check_code=2).stderr


def test_clean_runs_say_what_was_checked(fluxops: Run) -> None:
    proc = fluxops("lint", str(EXAMPLE), check_code=0)
    assert proc.stdout.strip().endswith("files checked, 0 findings")
    assert "objects in" in proc.stdout


def test_output_dir_that_cannot_be_created_is_exit_2(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--all", "--output-dir", "/proc/x", check_code=2)
    assert "cannot create --output-dir /proc/x" in proc.stderr
    assert "internal error" not in proc.stderr
