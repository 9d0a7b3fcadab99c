from pathlib import Path

import pytest

from fluxops.errors import RepoError
from fluxops.loader.repo import load_repo
from fluxops.model.flux import HelmRelease, Kustomization

pytestmark = pytest.mark.unit


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_loads_manifests_with_origin_and_skips_non_manifests(tmp_path: Path) -> None:
    write(
        tmp_path,
        "apps/ks.yaml",
        "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        "metadata:\n  name: a\nspec:\n  path: ./x\n---\n"
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: b\n",
    )
    write(tmp_path, "apps/config.yaml", "- just\n- a list\n")
    write(tmp_path, "apps/values.yml", "replicas: 2\n")
    repo = load_repo(tmp_path)
    assert [r.id.short() for r in repo.resources] == ["Kustomization/a", "HelmRelease/b"]
    first, second = repo.resources
    assert first.origin is not None and (first.origin.file, first.origin.document) == (
        "apps/ks.yaml",
        0,
    )
    assert second.origin is not None and second.origin.document == 1 and second.origin.line == 9
    assert repo.findings == []
    assert [type(o) for o in repo.flux()] == [Kustomization, HelmRelease]


def test_unparsable_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n")
    write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: [\n")
    repo = load_repo(tmp_path)
    assert [r.name for r in repo.resources] == ["ok"]
    (finding,) = repo.findings
    assert finding.file == "bad.yaml" and finding.line is not None
    assert "invalid YAML" in finding.message


def test_helm_chart_templates_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "chart/Chart.yaml", "name: c\nversion: 1.0.0\n")
    write(tmp_path, "chart/templates/cm.yaml", "{{- if .Values.x }}\nkind: ConfigMap\n{{- end }}\n")
    repo = load_repo(tmp_path)
    assert repo.findings == []


def test_kustomize_kustomization_is_not_a_flux_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
    )
    repo = load_repo(tmp_path)
    assert list(repo.flux("Kustomization")) == []


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="does not exist"):
        load_repo(tmp_path / "nope")
