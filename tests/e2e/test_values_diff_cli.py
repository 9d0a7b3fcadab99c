"""`fluxops values-diff` end to end on repos we wrote (tests/fixtures/values-repo exercises
every valuesFrom rule) and on the real fluxcd example repo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, FIXTURE_REPOS, require_fixture_repos
from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit

VALUES_REPO = Path(__file__).resolve().parents[1] / "fixtures" / "values-repo"


def rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (release,) = data["releases"]
    return {f"{r['section']}:{r['path']}": r for r in release["rows"]}


def test_every_values_from_rule(fluxops: Run) -> None:
    proc = fluxops(
        "values-diff",
        "web",
        str(VALUES_REPO),
        "--envs",
        "a,b",
        "--all-values",
        "-o",
        "json",
        check_code=0,
    )
    data = json.loads(proc.stdout)
    assert [e["resolvedAs"] for e in data["environments"]] == ["overlay a", "overlay b"]
    r = rows(data)
    # later valuesFrom entries win over earlier ones (web-overrides over web-defaults)
    assert r["values:image.tag"]["values"] == {"a": "1.1", "b": "1.1"}
    assert not r["values:image.tag"]["differs"]
    # targetPath into a list index inside a nested map
    assert r["values:ingress.hosts"]["values"]["a"] == [{"host": "a.example.com", "paths": ["/"]}]
    # an escaped dot stays part of the key
    assert r["values:podAnnotations.example\\.com/team"]["values"] == {"a": "blue", "b": "blue"}
    # spec.values (patched per overlay) wins; lists are replaced, not merged
    assert r["values:replicas"]["values"] == {"a": 1, "b": 3}
    assert r["values:tags"]["values"] == {"a": ["a", "shared"], "b": ["b"]}
    # an inline null is dropped on apply: no row for it
    assert "values:removed" not in r
    # the optional reference that does not exist is reported, not an error
    (release,) = data["releases"]
    assert release["errors"] == {}
    assert any("web-optional" in n for n in release["notes"])


def test_secret_values_are_masked_everywhere(fluxops: Run) -> None:
    for fmt in ("json", "yaml", "markdown", "table"):
        proc = fluxops(
            "values-diff", "web", str(VALUES_REPO), "--envs", "a,b", "-o", fmt, check_code=0
        )
        assert "hunter2" not in proc.stdout and "correct-horse" not in proc.stdout
        assert "*** (differs)" in proc.stdout
    data = json.loads(
        fluxops("values-diff", "web", str(VALUES_REPO), "--envs", "a,b", "-o", "json").stdout
    )
    assert rows(data)["values:auth.password"]["secret"] is True


def test_chart_defaults_with_a_local_chart(fluxops: Run) -> None:
    data = json.loads(
        fluxops(
            "values-diff",
            "web",
            str(VALUES_REPO),
            "--envs",
            "a,b",
            "--with-defaults",
            "--all-values",
            "-o",
            "json",
            check_code=0,
        ).stdout
    )
    r = rows(data)
    assert r["values:resources.requests.cpu"]["values"] == {"a": "100m", "b": "100m"}
    # the inline null never reaches helm, so the chart default stays
    assert r["values:removed"]["values"]["a"] == "default-that-null-deletes"


def test_exit_code_and_environment_kinds(fluxops: Run) -> None:
    fluxops("values-diff", "podinfo", str(EXAMPLE), "--envs", "staging,production", check_code=0)
    proc = fluxops(
        "values-diff",
        "podinfo",
        str(EXAMPLE),
        "--envs",
        "staging,production",
        "--exit-code",
        "-o",
        "json",
        check_code=1,
    )
    data = json.loads(proc.stdout)
    assert [e["resolvedAs"] for e in data["environments"]] == [
        "cluster clusters/staging",
        "cluster clusters/production",
    ]
    r = rows(data)
    assert r["values:replicaCount"]["values"] == {"staging": 1, "production": 3}
    assert r["values:autoscaling.enabled"]["absent"] == ["staging"]
    # same release, same overlays stated explicitly: the values of apps/production vs itself
    same = fluxops(
        "values-diff",
        "podinfo",
        str(EXAMPLE),
        "--env",
        "x=apps/production",
        "--env",
        "y=apps/production",
        "--exit-code",
        check_code=0,
    )
    assert "no differences" in same.stdout


def test_all_reports_releases_missing_somewhere(fluxops: Run) -> None:
    data = json.loads(
        fluxops(
            "values-diff",
            "--all",
            str(EXAMPLE),
            "--env",
            "infra=infrastructure/controllers",
            "--env",
            "apps=apps/staging",
            "-o",
            "json",
            check_code=0,
        ).stdout
    )
    assert data["onlyIn"] == {"cert-manager/cert-manager": ["infra"], "podinfo/podinfo": ["apps"]}
    assert data["differs"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["values-diff", "nope", str(EXAMPLE), "--envs", "staging,production"],
            "HelmRelease nope not found in environment staging",
        ),
        (
            ["values-diff", "podinfo", str(EXAMPLE), "--envs", "staging"],
            "at least two environments",
        ),
        (["values-diff", "podinfo", str(EXAMPLE), "--envs", "staging,qa"], "environment 'qa'"),
        (["values-diff", str(EXAMPLE), "--envs", "staging,production"], "name a release"),
        (["values-diff", "podinfo", str(EXAMPLE), "--env", "broken"], "NAME=PATH"),
    ],
)
def test_errors(fluxops: Run, args: list[str], message: str) -> None:
    proc = fluxops(*args, check_code=2)
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_required_values_reference_is_reported(fluxops: Run, tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(VALUES_REPO, repo)
    config = repo / "b" / "config.yaml"
    config.write_text(config.read_text().replace("name: web-defaults", "name: renamed"))
    data = json.loads(
        fluxops("values-diff", "web", str(repo), "--envs", "a,b", "-o", "json", check_code=0).stdout
    )
    (release,) = data["releases"]
    assert "web-defaults" in release["errors"]["b"]


@pytest.mark.corpus
def test_classic_fluxcd_example_podinfo() -> None:
    require_fixture_repos()
    from fluxops import api

    for repo in (
        "fluxcd__flux2-kustomize-helm-example__pre-flux-2.7",
        "fluxcd__flux2-kustomize-helm-example",
    ):
        result = api.values_diff(
            api.ValuesDiffRequest(
                path=str(FIXTURE_REPOS / repo), release="podinfo", envs=["staging", "production"]
            )
        )
        (diff,) = result.diffs
        by_path = {(r.section, r.path): r for r in diff.rows}
        assert by_path[("chart", "version")].values == {
            "staging": ">=1.0.0-alpha",
            "production": ">=1.0.0",
        }
        assert any(section == "values" for section, _ in by_path), repo


@pytest.mark.corpus
def test_homelab_releases_compose() -> None:
    """Every HelmRelease of the homelab repos composes (valuesFrom, chartRef to OCIRepository):
    a cluster compared with itself has no differences and no errors."""
    require_fixture_repos()
    from fluxops import api

    for repo, cluster in (
        ("onedr0p__home-ops", "kubernetes/flux/cluster"),
        ("buroa__k8s-gitops", "kubernetes/flux/cluster"),
    ):
        result = api.values_diff(
            api.ValuesDiffRequest(
                path=str(FIXTURE_REPOS / repo),
                all_=True,
                env_paths=[f"a={cluster}", f"b={cluster}"],
            )
        )
        assert len(result.diffs) > 50, repo
        assert not result.differs, repo
        assert all(not d.errors for d in result.diffs), [d.errors for d in result.diffs if d.errors]
        assert result.timings["render"] > result.timings["compare"]
