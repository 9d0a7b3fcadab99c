"""Patterns from real repos fluxops had not seen (issue 15), on small synthetic repos in
tests/fixtures and in temporary folders: the source root an OCI-synced FluxInstance implies,
Kustomizations no entry reaches, sources outside the repository, lint on the effective objects,
one Flux release per cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OCI_ROOT = FIXTURES / "oci-root-repo"
TWO_CLUSTERS = FIXTURES / "two-flux-clusters"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def ks(name: str, path: str, source: str = "GitRepository/flux-system", extra: str = "") -> str:
    kind, src = source.split("/")
    return (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        f"metadata:\n  name: {name}\n  namespace: flux-system\n"
        f"spec:\n  interval: 1h\n  prune: true\n  path: {path}\n"
        f"  sourceRef:\n    kind: {kind}\n    name: {src}\n{extra}"
    )


SYNC = (
    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n"
    "  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n"
    "  url: https://github.com/example/fleet\n  ref:\n    branch: main\n---\n"
    + ks("flux-system", "./clusters/prod")
)


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {f"{k['namespace']}/{k['name']}": k["status"] for k in data["kustomizations"]}


def test_oci_synced_instance_builds_from_its_subfolder(fluxops: Run) -> None:
    proc = fluxops("build", str(OCI_ROOT), "--all", "-o", "json", check_code=0)
    data = json.loads(proc.stdout)
    assert statuses(data) == {
        "flux-system/flux-system": "ok",
        "flux-system/apps": "ok",
        "flux-system/podinfo": "ok",
        "flux-system/notifier": "ok",
        "flux-system/old-app": "unreached",
    }
    summary = data["summary"]
    assert (summary["ok"], summary["failed"], summary["skipped"], summary["unreached"]) == (
        4,
        0,
        0,
        1,
    )
    unreached = next(k for k in data["kustomizations"] if k["status"] == "unreached")
    assert unreached["file"] == ".archive/kubernetes/old-app/ks.yaml"
    assert any("source root 'kubernetes/'" in n and "cluster-00" in n for n in data["notes"])
    assert any("Flux v2.5.x" in n and "not strict" in n for n in data["notes"])
    # every object once, in the cluster that applies it
    assert {k["cluster"] for k in data["kustomizations"] if k["status"] == "ok"} == {
        "clusters/cluster-00"
    }
    text = fluxops("build", str(OCI_ROOT), "--all", check_code=0)
    assert "note: OCIRepository/flux-system/flux-system: source root 'kubernetes/'" in text.stderr
    assert "UNREACHED Kustomization flux-system/old-app" in text.stderr
    assert "4 built, 0 failed, 1 unreached" in text.stderr


def test_include_unreached_builds_them_once(fluxops: Run) -> None:
    proc = fluxops(
        "build", str(OCI_ROOT), "--all", "--include-unreached", "-o", "json", check_code=1
    )
    data = json.loads(proc.stdout)
    refs = [f"{k['namespace']}/{k['name']}" for k in data["kustomizations"]]
    assert len(refs) == len(set(refs)), refs  # nothing built twice under a phantom cluster
    old = next(k for k in data["kustomizations"] if k["name"] == "old-app")
    assert old["status"] == "failed" and old["cluster"] == ".archive/kubernetes/old-app"


def test_external_sources_are_skipped_not_failed(fluxops: Run, tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo",
        {
            "clusters/prod/flux-system/gotk-sync.yaml": SYNC,
            "clusters/prod/tenant.yaml": (
                "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n"
                "  name: team\n  namespace: flux-system\nspec:\n  interval: 1m\n"
                "  url: https://github.com/example/team-repo\n---\n"
                + ks("team", "./deploy", "GitRepository/team")
            ),
        },
    )
    team_repo = write(
        tmp_path / "team-repo",
        {
            "deploy/cm.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team\n  namespace: default\n"
            )
        },
    )
    proc = fluxops("build", str(repo), "--all", "-o", "json", check_code=0)
    data = json.loads(proc.stdout)
    team = next(k for k in data["kustomizations"] if k["name"] == "team")
    assert team["status"] == "skipped"
    assert team["sourceUrl"] == "https://github.com/example/team-repo"
    assert team["sourceFlag"] == "--source GitRepository/flux-system/team=DIR"
    text = fluxops("build", str(repo), "--all", check_code=0)
    assert "SKIPPED Kustomization flux-system/team" in text.stderr
    assert "--source GitRepository/flux-system/team=DIR" in text.stderr
    fluxops("build", str(repo), "--all", "--require-all", check_code=1)
    mapped = fluxops(
        "build",
        str(repo),
        "--all",
        "--require-all",
        "--source",
        f"GitRepository/flux-system/team={team_repo}",
        "-o",
        "json",
        check_code=0,
    )
    assert statuses(json.loads(mapped.stdout))["flux-system/team"] == "ok"


def test_lint_judges_the_effective_objects(fluxops: Run) -> None:
    proc = fluxops("lint", str(OCI_ROOT), "-o", "json")
    data = json.loads(proc.stdout)
    codes = [f["code"] for f in data["findings"]]
    # the parent's patches set prune, interval and timeout on every child
    assert "ks-prune" not in codes and "ks-interval" not in codes
    # the placeholder that valuesFrom targetPath replaces, `changeme`, "" are not secrets
    assert "hr-inline-secret" not in codes
    stale = next(f for f in data["findings"] if f["code"] == "ks-path")
    assert stale["file"] == ".archive/kubernetes/old-app/ks.yaml"
    assert stale["severity"] == "warning" and stale["unrendered"] is True
    assert "[unreached" in stale["message"]
    assert proc.returncode == 0
    assert any("source root 'kubernetes/'" in n for n in data["notes"])
    sarif = json.loads(fluxops("lint", str(OCI_ROOT), "-o", "sarif").stdout)
    notes = sarif["runs"][0]["properties"]["notes"]
    assert any("source root 'kubernetes/'" in n for n in notes)
    github = fluxops("lint", str(OCI_ROOT), "-o", "github").stdout
    assert github.startswith("::notice title=fluxops lint::")


def test_lint_says_first_what_failed_to_render(fluxops: Run, tmp_path: Path) -> None:
    release = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n"
        "  namespace: default\nspec:\n  interval: 1h\n  chartRef:\n    kind: OCIRepository\n"
        "    name: web\n  values:\n    adminPassword: hunter2\n"
    )
    repo = write(
        tmp_path / "repo",
        {
            "clusters/prod/flux-system/gotk-sync.yaml": SYNC,
            "clusters/prod/apps.yaml": ks("apps", "./apps"),
            "apps/kustomization.yaml": "resources:\n  - release.yaml\n  - missing.yaml\n",
            "apps/release.yaml": release,
        },
    )
    proc = fluxops("lint", str(repo), check_code=1)
    first = proc.stdout.splitlines()[0]
    assert first.startswith("note: render failed: Kustomization flux-system/apps")
    data = json.loads(fluxops("lint", str(repo), "-o", "json", check_code=1).stdout)
    failed = next(f for f in data["findings"] if f["code"] == "render-failed")
    assert failed["file"] == "clusters/prod/apps.yaml"
    secret = next(f for f in data["findings"] if f["code"] == "hr-inline-secret")
    assert secret["unrendered"] is True and "[unrendered" in secret["message"]
    assert data["summary"]["unrenderedFindings"] >= 1


def test_each_cluster_keeps_its_flux_release(fluxops: Run) -> None:
    proc = fluxops("build", str(TWO_CLUSTERS), "--all", "-o", "json", check_code=0)
    notes = json.loads(proc.stdout)["notes"]
    assert any("clusters/old: assuming Flux v2.2.3" in n and "not strict" in n for n in notes)
    assert any("clusters/new: assuming Flux v2.9.1" in n for n in notes)
    # the dashboard's ${DS_PROMETHEUS} fails only where substitution is strict
    strict = fluxops("build", str(TWO_CLUSTERS), "--all", "--strict-substitute", check_code=1)
    assert 'variable not set (strict mode): "DS_PROMETHEUS"' in strict.stderr
    forced = fluxops("build", str(TWO_CLUSTERS), "--all", "--flux-version", "2.9", check_code=1)
    assert "assuming Flux v2.9" in forced.stderr and "(--flux-version '2.9')" in forced.stderr
    fluxops("build", str(TWO_CLUSTERS), "--all", "--flux-version", "banana", check_code=2)


def test_crds_of_one_cluster_do_not_judge_another(fluxops: Run) -> None:
    # clusters/old vendors a Kustomization CRD that does not know ExternalArtifact;
    # clusters/new uses it, and validates against the CRDs it installs
    proc = fluxops("validate", str(TWO_CLUSTERS), "-o", "json")
    data = json.loads(proc.stdout)
    assert not [f for f in data["findings"] if "ExternalArtifact" in f["message"]]
    # the packaged (newest) Flux CRDs no longer serve source/v1beta2, which Flux 2.2 still does:
    # fluxops ships no older Flux CRDs (a known limit), so that one object is reported
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["file"]) for f in errors] == [
        ("schema-not-served", "apps/old/repository.yaml")
    ]
    lint = json.loads(fluxops("lint", str(TWO_CLUSTERS), "-o", "json", check_code=0).stdout)
    deprecated = next(f for f in lint["findings"] if f["code"] == "flux-deprecated-api")
    assert deprecated["severity"] == "warning"  # removed in 2.8, this cluster runs 2.2
    assert "this cluster runs Flux 2.2" in deprecated["message"]


def test_unresolved_variables_only_in_data_once_each(fluxops: Run, tmp_path: Path) -> None:
    crd = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n"
        "    plural: widgets\n  scope: Namespaced\n  versions:\n    - name: v1\n"
        "      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
        "          type: object\n          description: 'set ${var:=default} in postBuild'\n"
    )
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: left\n  namespace: default\n"
        "data:\n  a: ${LEFT}\n"
    )
    repo = write(
        tmp_path / "repo",
        {
            "clusters/prod/flux-system/gotk-sync.yaml": SYNC,
            "clusters/prod/apps.yaml": ks("apps", "./apps"),
            "apps/kustomization.yaml": "resources:\n  - crd.yaml\n  - config.yaml\n",
            "apps/crd.yaml": crd,
            "apps/config.yaml": config,
        },
    )
    proc = fluxops("build", str(repo), "--all", "-o", "json", check_code=0)
    data = json.loads(proc.stdout)
    fo006 = [f for f in data["findings"] if f["code"] == "FO006"]
    assert [f["path"] for f in fo006] == ["data.a"]
