"""Issue 15 on the shared real repos: external sources are skipped (the multi-tenancy example
passes), a Flux release vendored for one cluster stays in that cluster (flux-local), lint says
which renders failed and marks what it judged unrendered."""

from __future__ import annotations

import pytest

from fluxops import api
from tests.conftest import FIXTURE_REPOS, require_fixture_repos

pytestmark = pytest.mark.corpus

FLUX_LOCAL = FIXTURE_REPOS / "allenporter__flux-local"
MULTI_TENANCY = FIXTURE_REPOS / "fluxcd__flux2-multi-tenancy"


def test_multi_tenancy_passes_with_external_sources_skipped() -> None:
    require_fixture_repos()
    result = api.build(api.BuildRequest(path=str(MULTI_TENANCY), all_=True))
    assert result.exit_code == 0
    assert result.summary() == {"ok": 8, "failed": 0, "skipped": 4, "unreached": 0}
    urls = {b.source_url for b in result.builds if b.status == "skipped"}
    assert urls == {
        "oci://ghcr.io/kyverno/manifests/kyverno",
        "https://github.com/fluxcd/flux2-multi-tenancy",
    }
    strict = api.build(api.BuildRequest(path=str(MULTI_TENANCY), all_=True, require_all=True))
    assert strict.exit_code == 1


@pytest.mark.timeout(600)
def test_flux_local_vendored_release_stays_in_its_cluster() -> None:
    require_fixture_repos()
    result = api.validate(api.ValidateRequest(path=str(FLUX_LOCAL), all_=True))
    # cluster9 vendors Flux 2.2's CRDs; cluster11 uses sourceRef.kind ExternalArtifact
    assert not [
        f for f in result.findings if "ExternalArtifact" in f.message and f.code == "schema"
    ]
    version_notes = [n for n in result.notes if "assuming Flux v2.2.3" in n]
    assert len(version_notes) == 1 and "cluster9" in version_notes[0]


@pytest.mark.timeout(600)
def test_flux_local_lint_says_what_did_not_render() -> None:
    require_fixture_repos()
    build = api.build(api.BuildRequest(path=str(FLUX_LOCAL), all_=True))
    failed = {b.ref for b in build.builds if b.status == "failed"}
    result = api.lint(api.LintRequest(path=str(FLUX_LOCAL)))
    render_failed = [f for f in result.findings if f.code == "render-failed"]
    assert {f.object for f in render_failed} == {f"Kustomization/{ref}" for ref in failed}
    assert [n for n in result.notes if n.startswith("render failed:")] == [
        f"render failed: {f.message}" for f in render_failed
    ]
    # the base whose chart version an overlay patches is judged as written: marked so
    chart = [f for f in result.findings if f.code == "hr-chart-version"]
    assert chart and all(f.extra.get("unrendered") for f in chart)
