"""A hint for every known failure reason, with commands filled in for the object at hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fluxops.status.analyze import analyze
from fluxops.status.classify import classify
from fluxops.status.hints import RULES, hint_for, hints_markdown, rule_for
from fluxops.status.states import Hint
from tests.unit.status import objects as o

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[3] / "docs" / "status.md"

#: The reasons the issue names, and the common ones in Flux's code: each has its own rule.
FLUX_REASONS = [
    ("ArtifactFailed", "Kustomization"),
    ("BuildFailed", "Kustomization"),
    ("DependencyNotReady", "Kustomization"),
    ("HealthCheckFailed", "Kustomization"),
    ("HealthCheckCanceled", "Kustomization"),
    ("ReconciliationFailed", "Kustomization"),
    ("PruneFailed", "Kustomization"),
    ("AccessDenied", "Kustomization"),
    ("InvalidCELExpression", "Kustomization"),
    ("FeatureGateDisabled", "Kustomization"),
    ("InstallFailed", "HelmRelease"),
    ("UpgradeFailed", "HelmRelease"),
    ("TestFailed", "HelmRelease"),
    ("RollbackFailed", "HelmRelease"),
    ("UninstallFailed", "HelmRelease"),
    ("RetriesExceeded", "HelmRelease"),
    ("MissingRollbackTarget", "HelmRelease"),
    ("SourceNotReady", "HelmRelease"),
    ("ArtifactFailed", "HelmRelease"),
    ("ValuesError", "HelmRelease"),
    ("ChartMutateError", "HelmRelease"),
    ("RESTClientError", "HelmRelease"),
    ("GetLastReleaseFailed", "HelmRelease"),
    ("ChartPullError", "HelmChart"),
    ("InvalidChartReference", "HelmChart"),
    ("ChartPackageError", "HelmChart"),
    ("ValuesFilesError", "HelmChart"),
    ("AuthenticationFailed", "GitRepository"),
    ("GitOperationFailed", "GitRepository"),
    ("URLInvalid", "GitRepository"),
    ("StorageOperationFailed", "GitRepository"),
    ("ArchiveOperationFailed", "Bucket"),
    ("OCIArtifactPullFailed", "OCIRepository"),
    ("OCIArtifactLayerOperationFailed", "OCIRepository"),
    ("IndexationFailed", "HelmRepository"),
    ("BucketOperationFailed", "Bucket"),
    ("VerificationError", "OCIRepository"),
    ("InvalidProviderConfiguration", "OCIRepository"),
    ("ReadOperationFailed", "ImageRepository"),
    ("UpdateFailed", "ImageUpdateAutomation"),
    ("TokenNotFound", "Receiver"),
]


@pytest.mark.parametrize(("reason", "kind"), FLUX_REASONS)
def test_every_known_reason_has_its_own_hint(reason: str, kind: str) -> None:
    rule = rule_for(reason, kind, "")
    assert rule.key != "*", f"{kind} {reason} falls back to the generic hint"
    assert rule.commands


#: A real-looking message for every rule that matches on the message.
EXAMPLES = {
    "ArtifactFailed/path": "kustomization path not found: stat /tmp/kustomization-1464362706/invalid: no such file or directory",
    "BuildFailed/substitution": "var substitution failed for 'podinfo': YAMLToJSON: variable not set (strict mode): \"cluster_name\"",
    "BuildFailed/decryption": "failed to decrypt and format 'flux-system/secret.yaml': sops metadata not found",
    "ReconciliationFailed/immutable": 'Deployment/apps/web dry-run failed (Invalid): Deployment.apps "web" is invalid: spec.selector: Invalid value: field is immutable',
    "ReconciliationFailed/crd": 'ServiceMonitor/apps/web dry-run failed: no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"',
    "ReconciliationFailed/namespace": 'ConfigMap/apps/settings namespace not specified: namespaces "apps" not found',
    "ReconciliationFailed/exists": "Namespace/apps created, ConfigMap/apps/settings already exists",
    "HelmRelease/already-exists": 'Unable to continue with install: ServiceAccount "x" in namespace "y" exists and cannot be imported into the current release',
    "HelmRelease/timeout": "Helm install failed for release a/b with chart b@1.0.0: context deadline exceeded",
    "HelmRelease/locked": "Helm upgrade failed: another operation (install/upgrade/rollback) is in progress",
    "ChartPullError/not-found": "invalid chart reference: failed to get chart version for remote reference: no 'podinfo' chart with version matching '9.9.9' found",
    "GitOperationFailed/auth": "failed to checkout and determine revision: unable to clone 'https://github.com/acme/x': authentication required",
    "GitOperationFailed/ref": "failed to checkout and determine revision: unable to clone 'https://github.com/acme/x': couldn't find remote ref \"refs/heads/nope\"",
    "GitOperationFailed/network": "failed to checkout and determine revision: unable to clone 'https://git.acme/x': dial tcp: lookup git.acme: no such host",
}


def test_rules_are_unique_and_reachable() -> None:
    keys = [r.key for r in RULES]
    assert len(keys) == len(set(keys))
    assert RULES[-1].key == "*"
    for rule in RULES[:-1]:
        kind = rule.kinds[0] if rule.kinds else "Kustomization"
        message = EXAMPLES.get(rule.key, "")
        if rule.message:
            assert message, f"add an example message for {rule.key}"
            assert re.search(rule.message, message, re.IGNORECASE), rule.key
        assert rule_for(rule.reasons[0], kind, message).key == rule.key, rule.key


def _hint(obj: dict[str, Any], source: str | None = None) -> Hint | None:
    st = classify(obj, NOW)
    return hint_for(obj, st, source)


def test_seed_build_failed() -> None:
    ks = o.kustomization(
        "apps",
        ready="False",
        reason="BuildFailed",
        message="kustomize build failed: map[string]interface {}(nil): yaml: unmarshal errors",
    )
    h = _hint(ks)
    assert h is not None and h.reason == "BuildFailed"
    assert h.commands[0] == "fluxops build . --ks flux-system/apps"
    assert "flux reconcile kustomization apps -n flux-system --with-source" in h.commands


def test_seed_chart_not_found() -> None:
    h = _hint(o.helm_chart("podinfo-podinfo", version="9.9.9", not_found=True))
    assert h is not None and h.reason == "ChartPullError/not-found"
    assert "check the HelmRepository" in h.text
    assert h.commands[0] == "flux get sources helm podinfo -n flux-system"


def test_seed_resource_already_exists() -> None:
    msg = (
        "Helm install failed for release podinfo/podinfo with chart podinfo@6.5.3: Unable to "
        'continue with install: ServiceAccount "podinfo" in namespace "podinfo" exists and '
        "cannot be imported into the current release: invalid ownership metadata; label "
        'validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"'
    )
    hr = o.helm_release(
        "podinfo", deployed=None, ready="False", reason="InstallFailed", message=msg
    )
    h = _hint(hr)
    assert h is not None and h.reason == "HelmRelease/already-exists"
    assert "adopt" in h.text and "delete" in h.text
    assert h.commands[0] == (
        "kubectl -n podinfo annotate serviceaccount podinfo --overwrite "
        "meta.helm.sh/release-name=podinfo meta.helm.sh/release-namespace=podinfo"
    )
    assert (
        "kubectl -n podinfo label serviceaccount podinfo --overwrite app.kubernetes.io/managed-by=Helm"
        in h.commands
    )
    assert "flux reconcile helmrelease podinfo -n podinfo --force" in h.commands


def test_seed_stuck_reconciling() -> None:
    ks = o.kustomization(
        "apps",
        ready="Unknown",
        reason="Progressing",
        message="Reconciliation in progress",
        reconciling=(
            "Progressing",
            "Applied revision: main@sha1:abc; waiting for health checks: [Deployment/apps/web status: 'InProgress']",
        ),
        at="2025-06-01T10:00:00Z",
    )
    h = _hint(ks)
    assert h is not None and h.reason == "StuckReconciling"
    assert h.commands[0] == "kubectl -n apps rollout status deployment/web --timeout=60s"


def test_health_check_failed_names_the_workloads() -> None:
    ks = o.kustomization(
        "apps",
        ready="False",
        reason="HealthCheckFailed",
        message="health check failed after 5m0s: timeout waiting for: [Deployment/apps/web status: 'InProgress', StatefulSet/data/db status: 'InProgress']",
    )
    h = _hint(ks)
    assert h is not None
    assert h.commands[:2] == (
        "kubectl -n apps rollout status deployment/web --timeout=60s",
        "kubectl -n data rollout status statefulset/db --timeout=60s",
    )


def test_source_hints_point_at_the_source() -> None:
    ks = o.kustomization(
        "apps",
        source=("OCIRepository", "manifests"),
        ready="False",
        reason="ArtifactFailed",
        message="Source artifact not found, retrying in 30s",
    )
    h = _hint(ks, "OCIRepository/flux-system/manifests")
    assert h is not None
    assert h.commands == (
        "flux get sources oci manifests -n flux-system",
        "flux reconcile kustomization apps -n flux-system --with-source",
    )


def test_values_error_lists_the_references() -> None:
    hr = o.helm_release(
        "podinfo",
        deployed=None,
        ready="False",
        reason="ValuesError",
        message="could not resolve ConfigMap chart value reference 'podinfo/podinfo-values' with key 'values.yaml': configmaps \"podinfo-values\" not found",
        values_from=[("ConfigMap", "podinfo-values"), ("Secret", "podinfo-secret")],
    )
    h = _hint(hr)
    assert (
        h is not None
        and h.commands[0] == "kubectl -n podinfo get configmap/podinfo-values secret/podinfo-secret"
    )


def test_commands_with_unknown_placeholders_are_left_out() -> None:
    repo = o.git_repository(
        "r",
        failing="failed to get secret 'flux-system/missing': secrets \"missing\" not found",
        reason="AuthenticationFailed",
    )
    h = _hint(repo)
    assert h is not None and all("{" not in c for c in h.commands)
    assert not any("describe secret" in c for c in h.commands)  # no spec.secretRef: no command


def test_no_hint_for_ready_objects() -> None:
    assert _hint(o.kustomization("apps", applied="x")) is None


def test_every_failing_object_in_the_scenario_has_a_hint() -> None:
    objs = o.scenario()
    for st in analyze(objs, now=NOW).objects:
        if st.state.failing:
            assert st.hint is not None and st.hint.commands, st.id


def test_docs_list_every_hint() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert hints_markdown() in text, (
        "docs/status.md is stale: run python scripts/gen_status_docs.py"
    )
    for rule in RULES:
        assert f"`{rule.key}`" in text
