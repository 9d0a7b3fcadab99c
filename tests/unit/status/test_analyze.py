"""Root causes, the blocking graph, cycles, behind-source revisions and events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fluxops.status.analyze import Analysis, analyze
from fluxops.status.graph import references
from fluxops.status.states import ObjectStatus, RootCause, State
from tests.unit.status import objects as o

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scenario() -> Analysis:
    objs = o.scenario()
    return analyze(objs, o.scenario_events(objs), now=NOW)


def by_id(analysis: Analysis) -> dict[str, ObjectStatus]:
    return {s.id: s for s in analysis.objects}


def roots(analysis: Analysis) -> dict[str, RootCause]:
    return {r.id: r for r in analysis.root_causes}


def test_failing_source_blocks_three_kustomizations(scenario: Analysis) -> None:
    rc = roots(scenario)["GitRepository/flux-system/platform"]
    assert rc.type == "object"
    assert rc.blocks == [
        "Kustomization/flux-system/platform-config",
        "Kustomization/flux-system/platform-controllers",
        "Kustomization/flux-system/platform-crds",
    ]
    objs = by_id(scenario)
    assert objs["GitRepository/flux-system/platform"].root_cause
    for ks in rc.blocks:
        assert objs[ks].blocked_by == ["GitRepository/flux-system/platform"]
        assert objs[ks].waiting_for == ["GitRepository/flux-system/platform"]
        assert not objs[ks].root_cause
        assert ks not in roots(scenario)


def test_depends_on_chain_three_deep(scenario: Analysis) -> None:
    rc = roots(scenario)["Kustomization/flux-system/chain-c"]
    assert rc.blocks == ["Kustomization/flux-system/chain-a", "Kustomization/flux-system/chain-b"]
    objs = by_id(scenario)
    assert objs["Kustomization/flux-system/chain-a"].blocked_by == [
        "Kustomization/flux-system/chain-c"
    ]
    assert objs["Kustomization/flux-system/chain-a"].waiting_for == [
        "Kustomization/flux-system/chain-b"
    ]
    assert rc.hint is not None and rc.hint.reason == "BuildFailed"
    assert "fluxops build . --ks flux-system/chain-c" in rc.hint.commands


def test_cycle(scenario: Analysis) -> None:
    assert scenario.cycles == [
        ["Kustomization/flux-system/cycle-x", "Kustomization/flux-system/cycle-y"]
    ]
    cycle_roots = [r for r in scenario.root_causes if r.type == "cycle"]
    assert len(cycle_roots) == 1
    assert cycle_roots[0].members == [
        "Kustomization/flux-system/cycle-x",
        "Kustomization/flux-system/cycle-y",
    ]
    assert cycle_roots[0].hint is not None and cycle_roots[0].hint.reason == "DependencyCycle"
    objs = by_id(scenario)
    assert objs["Kustomization/flux-system/cycle-x"].root_cause


def test_every_failing_object_is_a_root_or_blocked_once(scenario: Analysis) -> None:
    root_ids: set[str] = set()
    for r in scenario.root_causes:
        root_ids.update(r.members or [r.id])
    for st in scenario.objects:
        if st.state.failing:
            assert (st.id in root_ids) != bool(st.blocked_by), st.id
    assert len(scenario.root_causes) == len({r.id for r in scenario.root_causes})


def test_chart_not_found_blocks_release(scenario: Analysis) -> None:
    rc = roots(scenario)["HelmChart/flux-system/podinfo-broken"]
    assert rc.blocks == ["HelmRelease/podinfo/broken"]
    assert rc.hint is not None and rc.hint.reason == "ChartPullError/not-found"
    assert "flux get sources helm podinfo -n flux-system" in rc.hint.commands


def test_failed_upgrade_root(scenario: Analysis) -> None:
    hr = by_id(scenario)["HelmRelease/podinfo/podinfo"]
    assert hr.state == State.STALLED and hr.root_cause
    assert hr.failed_upgrade is not None and hr.failed_upgrade.deployed == "6.5.3"
    assert hr.events and hr.events[0].reason == "UpgradeFailed"
    assert hr.hint is not None
    # RetriesExceeded, and the underlying timeout: both hints' commands
    assert "flux reconcile helmrelease podinfo -n podinfo --reset" in hr.hint.commands
    assert "kubectl -n podinfo get pods -l app.kubernetes.io/instance=podinfo" in hr.hint.commands


def test_suspended_and_stale(scenario: Analysis) -> None:
    objs = by_id(scenario)
    grafana = objs["HelmRelease/team-a/grafana"]
    assert grafana.state == State.SUSPENDED and not grafana.root_cause
    assert grafana.hint is not None and grafana.hint.commands == (
        "flux resume helmrelease grafana -n team-a",
    )
    stale = objs["Kustomization/flux-system/stale"]
    assert stale.state == State.PROGRESSING and stale.stale and stale.root_cause


def test_behind_source(scenario: Analysis) -> None:
    objs = by_id(scenario)
    lagging = objs["Kustomization/flux-system/lagging"]
    assert lagging.state == State.READY and lagging.behind_source
    assert lagging.source_revision == objs["GitRepository/flux-system/flux-system"].revision
    assert not objs["Kustomization/flux-system/apps"].behind_source
    source_notes = " ".join(objs["GitRepository/flux-system/flux-system"].notes)
    assert "Kustomization/flux-system/lagging" in source_notes


def test_events_newest_first_warnings_only(scenario: Analysis) -> None:
    platform = by_id(scenario)["GitRepository/flux-system/platform"]
    assert [e.message for e in platform.events][1] == "older failure"
    assert platform.events[0].count == 12
    chain_c = by_id(scenario)["Kustomization/flux-system/chain-c"]
    assert [e.type for e in chain_c.events] == ["Warning"]
    assert not by_id(scenario)["Kustomization/flux-system/apps"].events


def test_ready_consumers_of_a_failing_source_are_affected() -> None:
    objs = [
        o.git_repository("repo", failing=o.AUTH_FAILURE),  # keeps its last artifact
        o.kustomization("a", source=("GitRepository", "repo"), applied="main@sha1:" + "1" * 40),
        o.kustomization("b", source=("GitRepository", "repo"), applied="main@sha1:" + "1" * 40),
        o.kustomization(
            "c",
            source=("GitRepository", "repo"),
            ready="False",
            reason="BuildFailed",
            message="kustomize build failed",
        ),
    ]
    a = analyze(objs, now=NOW)
    r = roots(a)
    # the build failure is its own root cause, even though the source fails too
    assert set(r) == {"GitRepository/flux-system/repo", "Kustomization/flux-system/c"}
    assert r["GitRepository/flux-system/repo"].blocks == []
    assert r["GitRepository/flux-system/repo"].affects == [
        "Kustomization/flux-system/a",
        "Kustomization/flux-system/b",
    ]


def test_missing_and_forbidden_references() -> None:
    objs = [
        o.kustomization(
            "a",
            source=("GitRepository", "nope"),
            ready="False",
            reason="ArtifactFailed",
            message="Source 'GitRepository/flux-system/nope' not found",
        ),
        o.kustomization(
            "b",
            source=("GitRepository", "secret", "infra"),
            ready="False",
            reason="ArtifactFailed",
            message="Source artifact not found, retrying in 30s",
        ),
    ]
    a = analyze(objs, now=NOW, forbidden=["GitRepository/infra/secret"])
    r = roots(a)
    assert r["GitRepository/flux-system/nope"].type == "missing"
    assert r["GitRepository/flux-system/nope"].blocks == ["Kustomization/flux-system/a"]
    assert r["GitRepository/infra/secret"].type == "forbidden"
    assert r["GitRepository/flux-system/nope"].hint is not None


def test_helm_release_without_generated_chart_points_at_the_repository() -> None:
    hr = o.helm_release(
        "podinfo",
        deployed=None,
        ready="False",
        reason="SourceNotReady",
        message="HelmRepository not ready",
    )
    del hr["status"]["helmChart"]
    repo = o.helm_repository(
        "podinfo",
        failing="failed to fetch https://stefanprodan.github.io/podinfo/index.yaml : 404 Not Found",
    )
    assert [r.id for r in references(hr, present={"HelmRepository/flux-system/podinfo"})] == [
        "HelmRepository/flux-system/podinfo"
    ]
    a = analyze([hr, repo], now=NOW)
    assert roots(a)["HelmRepository/flux-system/podinfo"].blocks == ["HelmRelease/podinfo/podinfo"]
    hint = roots(a)["HelmRepository/flux-system/podinfo"].hint
    assert hint is not None and hint.reason == "IndexationFailed"


def test_suspended_dependency_is_a_root() -> None:
    objs = [
        o.kustomization(
            "base",
            applied="x",
            suspend=True,
            ready="False",
            reason="HealthCheckFailed",
            message="timeout",
        ),
        o.kustomization(
            "app",
            depends_on=["base"],
            ready="False",
            reason="DependencyNotReady",
            message="dependency 'flux-system/base' is not ready",
        ),
    ]
    a = analyze(objs, now=NOW)
    r = roots(a)
    assert list(r) == ["Kustomization/flux-system/base"]
    assert r["Kustomization/flux-system/base"].blocks == ["Kustomization/flux-system/app"]


def test_deep_chain_does_not_recurse() -> None:
    n = 3000
    objs = [o.kustomization("k0", ready="False", reason="BuildFailed", message="boom")]
    for i in range(1, n):
        objs.append(
            o.kustomization(
                f"k{i}",
                depends_on=[f"k{i - 1}"],
                ready="False",
                reason="DependencyNotReady",
                message=f"dependency 'flux-system/k{i - 1}' is not ready",
            )
        )
    a = analyze(objs, now=NOW)
    assert len(a.root_causes) == 1 and len(a.root_causes[0].blocks) == n - 1


def test_cross_kind_ids_do_not_collide() -> None:
    objs = [
        o.git_repository("same"),
        o.kustomization(
            "same",
            source=("GitRepository", "same"),
            applied=o.git_revision("main", "flux-system/same"),
        ),
    ]
    a = analyze(objs, now=NOW)
    assert {s.id for s in a.objects} == {
        "GitRepository/flux-system/same",
        "Kustomization/flux-system/same",
    }
    assert all(s.state == State.READY for s in a.objects)
