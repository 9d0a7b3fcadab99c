"""Classification of single objects: kstatus rules read with Flux's conditions and reasons."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from fluxops.status.classify import classify
from fluxops.status.states import State
from tests.unit.status import objects as o

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_ready_kustomization() -> None:
    st = classify(o.kustomization("apps", applied="main@sha1:" + "a" * 40), NOW)
    assert st.state == State.READY and st.ready
    assert st.reason == "ReconciliationSucceeded"
    assert st.revision == "main@sha1:" + "a" * 40
    assert st.since == o.T0


def test_failed_with_retry() -> None:
    ks = o.kustomization(
        "apps",
        ready="False",
        reason="ArtifactFailed",
        message="kustomization path not found: stat /tmp/kustomization-1464362706/invalid: no such file or directory",
        reconciling=("ProgressingWithRetry", "Fetching manifests"),
    )
    st = classify(ks, NOW)
    assert st.state == State.FAILED and not st.ready
    assert st.reason == "ArtifactFailed"
    assert "retries" in " ".join(st.notes)


def test_failing_new_generation_is_failed_not_progressing() -> None:
    """kustomize-controller docs: a failing new generation leaves status.observedGeneration
    behind (2) while the conditions carry the current one (3)."""
    ks = o.kustomization(
        "podinfo",
        ready="False",
        reason="ArtifactFailed",
        message="kustomization path not found",
        reconciling=("ProgressingWithRetry", "Fetching manifests for revision master/67e2c98"),
        generation=3,
        observed=2,
        conditions_generation=3,
        applied="master/67e2c98a60dc92283531412a9e604dd4bae005a9",
    )
    st = classify(ks, NOW)
    assert st.state == State.FAILED
    assert not st.ready  # observedGeneration 2 != generation 3: not ready for dependents


def test_new_generation_recent_is_progressing_and_old_is_stale() -> None:
    ks = o.kustomization("apps", applied="x", generation=3, observed=2, conditions_generation=2)
    ks["metadata"]["managedFields"] = [
        {"manager": "kubectl", "operation": "Update", "time": "2025-06-01T11:59:00Z"},
        {
            "manager": "kustomize-controller",
            "operation": "Update",
            "subresource": "status",
            "time": "2025-06-01T11:59:59Z",
        },
    ]
    st = classify(ks, NOW)
    assert st.state == State.PROGRESSING and st.reason == "NewGeneration" and not st.stale
    assert "generation 3" in st.message and "generation 2" in st.message
    assert st.since == "2025-06-01T11:59:00Z"

    ks["metadata"]["managedFields"][0]["time"] = "2025-06-01T09:00:00Z"
    st = classify(ks, NOW)
    assert st.state == State.PROGRESSING and st.stale and st.reason == "StaleGeneration"
    assert "3h ago" in st.message or "180m" in st.message
    # a threshold of zero makes any pending generation stale
    ks["metadata"]["managedFields"][0]["time"] = "2025-06-01T11:59:59Z"
    assert classify(ks, NOW, stale_after=timedelta(0)).stale


def test_stalled() -> None:
    hr = o.helm_release("podinfo", failed_upgrade_to="6.5.4", retries_exhausted=True)
    st = classify(hr, NOW)
    assert st.state == State.STALLED
    assert st.reason == "RetriesExceeded"
    assert any("context deadline exceeded" in n for n in st.notes)


def test_suspended_keeps_last_status() -> None:
    hr = o.helm_release("grafana", "team-a", suspend=True, deployed="7.0.0")
    st = classify(hr, NOW)
    assert st.state == State.SUSPENDED and st.suspended
    assert "Ready=True" in st.notes[0]
    ks = o.kustomization("apps", applied="x")
    ks["metadata"]["annotations"] = {"fluxcd.controlplane.io/reconcile": "disabled"}
    assert classify(ks, NOW).state == State.SUSPENDED


def test_progressing() -> None:
    hr = o.helm_release(
        "podinfo",
        deployed=None,
        ready="Unknown",
        reason="Progressing",
        message="Running 'install' action with timeout of 5m0s",
    )
    hr["status"]["conditions"].insert(
        0,
        o.cond(
            "Reconciling",
            "True",
            "Progressing",
            "Running 'install' action with timeout of 5m0s",
            at="2025-06-01T11:58:00Z",
        ),
    )
    st = classify(hr, NOW)
    assert st.state == State.PROGRESSING and not st.stale
    assert "install" in st.message


def test_stuck_reconciling() -> None:
    ks = o.kustomization(
        "apps",
        ready="Unknown",
        reason="Progressing",
        message="Reconciliation in progress",
        reconciling=(
            "Progressing",
            "Applied revision: main@sha1:abc; waiting for Deployment/apps/web status: 'InProgress'",
        ),
        at="2025-06-01T11:00:00Z",
    )
    st = classify(ks, NOW)
    assert st.state == State.PROGRESSING and st.stale


def test_unknown_without_status() -> None:
    ks = o.kustomization("new", applied="x")
    del ks["status"]
    ks["metadata"]["creationTimestamp"] = "2025-06-01T11:59:30Z"
    st = classify(ks, NOW)
    assert st.state == State.UNKNOWN and not st.stale
    assert "waiting to be reconciled" in st.message
    ks["metadata"]["creationTimestamp"] = "2025-05-01T00:00:00Z"
    st = classify(ks, NOW)
    assert st.state == State.UNKNOWN and st.stale and st.reason == "NotReconciled"


def test_static_kinds_are_ready() -> None:
    for obj in (o.alert("a"), o.provider("p"), o.helm_repository("oci", oci=True)):
        st = classify(obj, NOW)
        assert st.state == State.READY and st.ready, obj["kind"]


def test_failed_upgrade_after_success() -> None:
    hr = o.helm_release("podinfo", failed_upgrade_to="6.5.4", deployed="6.5.3")
    st = classify(hr, NOW)
    assert st.state == State.FAILED and st.reason == "UpgradeFailed"
    assert st.failed_upgrade is not None
    assert (st.failed_upgrade.attempted, st.failed_upgrade.deployed) == ("6.5.4", "6.5.3")
    assert st.failed_upgrade.deployed_release == 2 and st.failed_upgrade.failures == 1
    assert st.revision == "6.5.3" and st.attempted_revision == "6.5.4"
    assert "upgrade to chart 6.5.4 failed; chart 6.5.3" in st.notes[0]


def test_failed_upgrade_rolled_back() -> None:
    hr = o.helm_release("podinfo", failed_upgrade_to="6.5.4", deployed="6.5.3")
    hist = hr["status"]["history"]
    hist.insert(0, o.release_snapshot("podinfo", "podinfo", 4, "6.5.3", "deployed"))
    hist[1]["status"] = "failed"
    hist[2]["status"] = "superseded"
    st = classify(hr, NOW)
    assert st.failed_upgrade is not None and st.failed_upgrade.deployed == "6.5.3"
    assert st.failed_upgrade.deployed_release == 4


def test_failed_upgrade_v2beta1() -> None:
    hr = o.helm_release(
        "podinfo",
        deployed=None,
        ready="False",
        reason="UpgradeFailed",
        message="Helm upgrade failed: timed out",
    )
    hr["apiVersion"] = "helm.toolkit.fluxcd.io/v2beta1"
    hr["status"].update(
        lastAppliedRevision="6.5.3", lastAttemptedRevision="6.5.4", lastReleaseRevision=2
    )
    st = classify(hr, NOW)
    assert st.failed_upgrade is not None
    assert (st.failed_upgrade.attempted, st.failed_upgrade.deployed) == ("6.5.4", "6.5.3")
    assert st.revision == "6.5.3"


def test_install_failure_is_not_an_upgrade() -> None:
    hr = o.helm_release(
        "podinfo", deployed=None, ready="False", reason="InstallFailed", message="install failed"
    )
    st = classify(hr, NOW)
    assert st.state == State.FAILED and st.failed_upgrade is None


def test_kustomization_revision_note() -> None:
    ks = o.kustomization(
        "apps",
        ready="False",
        reason="HealthCheckFailed",
        message="health check failed",
        applied="main@sha1:" + "a" * 40,
        attempted="main@sha1:" + "b" * 40,
    )
    st = classify(ks, NOW)
    assert (
        "revision main@sha1:bbbbbbbb failed; the cluster still runs main@sha1:aaaaaaaa" in st.notes
    )


def test_credentials_are_masked() -> None:
    repo = o.git_repository(
        "r",
        failing="unable to clone 'https://bot:s3cr3t-token@github.com/acme/x': authentication required",
    )
    st = classify(repo, NOW)
    assert "s3cr3t" not in st.message and "https://***@github.com" in st.message
    assert all("s3cr3t" not in c.message for c in st.conditions)


def test_garbage_does_not_crash() -> None:
    weird = copy.deepcopy(o.kustomization("x", applied="y"))
    weird["status"] = {
        "conditions": ["nope", {"type": 3}, {"type": "Ready", "status": None}],
        "observedGeneration": "two",
    }
    weird["metadata"]["generation"] = "one"
    st = classify(weird, NOW)
    assert st.state in (State.UNKNOWN, State.PROGRESSING)
