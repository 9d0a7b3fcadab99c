"""`fluxops build --all` over the real public repos in ../shared/fixtures/repos.

Every Flux Kustomization a cluster entry reaches and whose inputs exist must build. A source that
is another repository (GitHub, an OCI registry) is skipped, with the --source flag that maps it;
the ones that cannot build fail with a clear message of a known kind: a source that is not
defined, or a file that the fixture copy left out (SKIPPED.tsv). Kustomizations no entry
reaches are listed as unreached, never built under a cluster of their own.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fluxops import api
from fluxops.model.results import BuildResult
from tests.conftest import FIXTURE_REPOS as FIXTURE_REPOS_DIR
from tests.conftest import fixture_repos, require_fixture_repos

pytestmark = pytest.mark.corpus

COUNTS: dict[str, tuple[int, int, int]] = {}


def skipped_files(repo: Path) -> set[str]:
    path = repo / "SKIPPED.tsv"
    if not path.exists():
        return set()
    with path.open() as fh:
        return {row["path"] for row in csv.DictReader(fh, delimiter="\t")}


def explained(error: str, skipped: set[str]) -> bool:
    if "--source" in error:  # external or undefined source: says how to map it
        return True
    if "id matched 2 resources" in error:  # the fixture's own data makes Flux fail too
        return True
    return any(Path(s).name in error for s in skipped if "/" in s)


#: Expected failures, each with the reason a reader can check in the fixture.
EXPECTED_FAILURES = {
    "allenporter__flux-local": {
        # cluster11: ArtifactGenerator sources shared-repo/tenant-repo are not defined in the
        # repo; cluster: two Certificates named from Secret variables with equal values become
        # one object after substitution (Flux fails the same way, see docs/fidelity.md)
        "flux-system/apps",
        # sourceRef GitRepository controllers/flux-system does not exist (namespace defaults
        # to the Kustomization's own)
        "controllers/infra-controllers",
    },
    "onedr0p__home-ops": {
        "default/sonarr",  # its configMapGenerator scripts were left out of the copy
    },
}

#: Skipped: their source is in another repository (GitHub, an OCI registry).
EXPECTED_SKIPPED = {
    "allenporter__flux-local": {"snapshot-controller/snapshot-controller"},
    "fluxcd__flux2-multi-tenancy": {
        "flux-system/kyverno-controller",  # oci://ghcr.io/kyverno/manifests/kyverno
        "apps/dev-team",  # the tenant's own repository
    },
}

#: Unreached: no cluster entry applies them. flux-local's cluster2 and cluster4 test layouts
#: have no bootstrap.
EXPECTED_UNREACHED = {
    "allenporter__flux-local": {
        "flux-system/cluster",
        "flux-system/cluster-apps",
        "flux-system/cluster-apps-headlamp",
        "flux-system/cluster-apps-ingress-nginx",
        "flux-system/cluster-apps-ingress-nginx-certificates",
        "flux-system/flux",
    },
}


@pytest.fixture(scope="module")
def results() -> dict[str, BuildResult]:
    require_fixture_repos()
    out = {}
    for repo in fixture_repos():
        out[repo.name] = api.build(api.BuildRequest(path=str(repo), all_=True, cache=False))
    return out


@pytest.mark.parametrize("name", [p.name for p in fixture_repos()] or ["(none)"])
def test_every_kustomization_with_inputs_builds(name: str, results: dict[str, BuildResult]) -> None:
    result = results[name]
    repo = next(p for p in fixture_repos() if p.name == name)
    skipped = skipped_files(repo)
    failed = {b.ref: b.error or "" for b in result.builds if b.status == "failed"}
    COUNTS[name] = (len(result.builds), result.ok, result.failed)
    assert result.builds, "no Flux Kustomization was found"
    for ref, error in failed.items():
        assert explained(error, skipped), f"{ref} failed without a known reason: {error}"
        assert "Traceback" not in error
    assert set(failed) == EXPECTED_FAILURES.get(name, set())
    skips = [b for b in result.builds if b.status == "skipped"]
    assert {b.ref for b in skips} == EXPECTED_SKIPPED.get(name, set())
    for build in skips:
        assert build.source_flag.startswith(f"--source {build.source}=")
        assert build.source_url.startswith(("https://", "oci://"))
    unreached = {b.ref for b in result.builds if b.status == "unreached"}
    assert unreached == EXPECTED_UNREACHED.get(name, set())
    # each object built once, in the cluster that applies it
    built = [(b.cluster, b.ref) for b in result.builds if b.status != "unreached"]
    assert len(built) == len(set(built))
    # every successful build rendered objects with identities
    for build in result.builds:
        if build.status == "ok":
            for obj in build.objects:
                assert obj.id.kind and obj.id.name and obj.api_version


def test_known_layouts_resolve(results: dict[str, BuildResult]) -> None:
    # The Flux 2.7 layout: Kustomizations read ExternalArtifacts made by an ArtifactGenerator.
    helm = results["fluxcd__flux2-kustomize-helm-example"]
    staging_apps = next(
        b for b in helm.builds if b.cluster == "clusters/staging" and b.name == "apps"
    )
    kinds = {(o.kind, o.name) for o in staging_apps.objects}
    assert ("HelmRelease", "podinfo") in kinds
    release = next(o for o in staging_apps.objects if o.kind == "HelmRelease")
    assert release.raw["spec"]["values"]["httpRoute"]["hostnames"] == ["podinfo.staging"]
    # flux-operator layout: a FluxInstance in HelmRelease values is the entry point
    home = results["onedr0p__home-ops"]
    assert home.builds[0].ref == "flux-system/flux-system"
    assert any(b.name == "cluster-apps" for b in home.builds)
    # targetNamespace, components and substitution applied from the parent's rendered object
    atuin = next(b for b in home.builds if b.name == "atuin")
    assert atuin.namespace == "default"
    assert all(o.namespace in ("default", "") for o in atuin.objects)


def pytest_terminal_summary_lines() -> list[str]:
    return [
        f"build corpus {name}: {total} Kustomizations, {ok} built, {failed} failed (expected)"
        for name, (total, ok, failed) in sorted(COUNTS.items())
    ]


def test_every_cluster_name_is_a_valid_cluster_filter(results: dict[str, BuildResult]) -> None:
    """`--all -o json` names clusters; `--all --cluster NAME` must build exactly those."""
    repo = FIXTURE_REPOS_DIR / "allenporter__flux-local"
    full = results["allenporter__flux-local"]
    clusters = sorted(
        {b.cluster for b in full.builds if "->" not in b.cluster and b.status != "unreached"}
    )
    assert len(clusters) > 5
    for cluster in clusters:
        expected = {
            (b.namespace, b.name)
            for b in full.builds
            if b.cluster == cluster and b.status != "unreached"
        }
        only = api.build(api.BuildRequest(path=str(repo), all_=True, cluster=cluster))
        assert {(b.namespace, b.name) for b in only.builds} == expected, cluster
