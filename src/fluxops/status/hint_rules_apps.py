"""Hint rules for Kustomizations, HelmReleases and HelmCharts (first match wins; the
specific ones come first)."""

from __future__ import annotations

from fluxops.status.hint_rule import HELM_ACTIONS, HR, KS, HintRule

APP_RULES: tuple[HintRule, ...] = (
    # -- Kustomization ------------------------------------------------------------------------
    HintRule(
        "ArtifactFailed/path",
        ("ArtifactFailed",),
        "spec.path {path} does not exist in revision {attempted} of {source}: fix the path or "
        "the source's ref",
        ("fluxops build . --ks {namespace}/{name}", "{source_get}"),
        KS,
        r"path not found|no such file or directory",
    ),
    HintRule(
        "ArtifactFailed",
        ("ArtifactFailed",),
        "the source {source} has no artifact to apply (it is missing, not ready or failing): "
        "fix the source first",
        ("{source_get}", "{reconcile_with_source}"),
        KS,
    ),
    HintRule(
        "BuildFailed/substitution",
        ("BuildFailed",),
        "postBuild variable substitution failed: a variable is missing (strict mode) or its "
        "value is not valid YAML; render locally to see which",
        ("fluxops build . --ks {namespace}/{name}", "{describe}"),
        KS,
        r"substitut|variable|envsubst|\$\{",
    ),
    HintRule(
        "BuildFailed/decryption",
        ("BuildFailed",),
        "SOPS decryption failed: the decryption Secret {decryption_secret} is missing, or "
        "holds no key that matches the encrypted files",
        ("kubectl -n {namespace} describe secret {decryption_secret}", "{events}"),
        KS,
        r"decrypt|sops|age:|pgp",
    ),
    HintRule(
        "BuildFailed",
        ("BuildFailed",),
        "kustomize build of {path} failed: render it locally to see the error with its file",
        ("fluxops build . --ks {namespace}/{name}", "{reconcile_with_source}"),
        KS,
    ),
    HintRule(
        "ReconciliationFailed/immutable",
        ("ReconciliationFailed",),
        "an immutable field changed: the object must be recreated; annotate it in Git with "
        "kustomize.toolkit.fluxcd.io/force: Enabled, or delete it and reconcile",
        ("{events}", "{reconcile_with_source}"),
        KS,
        r"immutable",
    ),
    HintRule(
        "ReconciliationFailed/crd",
        ("ReconciliationFailed",),
        "a kind in the output has no CustomResourceDefinition on the cluster yet: make this "
        "Kustomization dependsOn the one that installs the CRDs",
        ("kubectl api-resources", "fluxops build . --ks {namespace}/{name}"),
        KS,
        r"no matches for kind|could not find the requested resource|ensure CRDs are installed",
    ),
    HintRule(
        "ReconciliationFailed/namespace",
        ("ReconciliationFailed",),
        "a target namespace does not exist: add the Namespace to this Kustomization, or "
        "dependsOn the one that creates it",
        ("kubectl get namespaces", "{events}"),
        KS,
        r'namespaces? "?[^" ]+"? not found',
    ),
    HintRule(
        "ReconciliationFailed/exists",
        ("ReconciliationFailed",),
        "resource already exists and is owned by something else: adopt it (remove the other "
        "owner) or delete it so Flux can create it",
        ("{events}", "{reconcile_with_source}"),
        KS,
        r"already exists",
    ),
    HintRule(
        "ReconciliationFailed",
        ("ReconciliationFailed",),
        "applying the rendered objects failed (server-side apply): the message names the "
        "object; check it against the cluster with a server dry run",
        (
            "fluxops build . --ks {namespace}/{name} | kubectl apply --server-side --dry-run=server -f -",
            "{reconcile_with_source}",
        ),
        KS,
    ),
    HintRule(
        "HealthCheckFailed",
        ("HealthCheckFailed",),
        "workloads did not become ready within spec.timeout: look at their rollout and pods",
        ("{rollout}", "{events}", "{workloads}"),
        KS,
    ),
    HintRule(
        "HealthCheckCanceled",
        ("HealthCheckCanceled",),
        "a new source revision arrived during the health checks; the next run checks again",
        ("{reconcile}",),
    ),
    HintRule(
        "DependencyNotReady",
        ("DependencyNotReady",),
        "waits for a dependency (dependsOn) that is not ready: fix that one first",
        ("{dependency_get}", "{get}"),
    ),
    HintRule(
        "PruneFailed",
        ("PruneFailed",),
        "garbage collection of objects removed from the source failed (a finalizer or RBAC)",
        ("{events}", "{logs}"),
    ),
    HintRule(
        "AccessDenied",
        ("AccessDenied",),
        "a cross-namespace reference was refused (the controller runs with "
        "--no-cross-namespace-refs): put {source} in namespace {namespace}",
        ("{source_get}", "{describe}"),
    ),
    HintRule(
        "InvalidCELExpression",
        ("InvalidCELExpression",),
        "a CEL expression (dependsOn readyExpr or healthCheckExprs) does not compile: fix it "
        "in Git; the object stays stalled until its spec changes",
        ("{describe}",),
    ),
    HintRule(
        "FeatureGateDisabled",
        ("FeatureGateDisabled",),
        "the spec uses a feature that is behind a controller feature gate: enable the gate "
        "(--feature-gates) or stop using the field",
        ("kubectl -n flux-system get deployments -o wide", "{describe}"),
    ),
    HintRule(
        "InvalidPath",
        ("InvalidPath",),
        "spec.path is not a valid relative path inside the source",
        ("{describe}",),
    ),
    # -- HelmRelease ---------------------------------------------------------------------------
    HintRule(
        "HelmRelease/already-exists",
        HELM_ACTIONS,
        "resource already exists and does not belong to this Helm release: adopt it (add the "
        "release's labels and annotations) or delete it",
        ("{adopt}", "{reconcile_force}"),
        HR,
        r"exists and cannot be imported|already exists",
    ),
    HintRule(
        "HelmRelease/timeout",
        HELM_ACTIONS,
        "Helm waited for the release's workloads, which did not become ready within "
        "spec.timeout: look at their pods",
        (
            "kubectl -n {target_namespace} get pods -l app.kubernetes.io/instance={release}",
            "kubectl -n {target_namespace} get events --field-selector type=Warning",
        ),
        HR,
        r"context deadline exceeded|timed out waiting|timeout",
    ),
    HintRule(
        "HelmRelease/locked",
        HELM_ACTIONS,
        "an earlier Helm operation was interrupted and left the release locked (pending-*)",
        ("helm -n {storage_namespace} history {release}", "{reconcile_force}"),
        HR,
        r"another operation .* in progress|has no deployed releases",
    ),
    HintRule(
        "InstallFailed",
        ("InstallFailed",),
        "helm install failed: the message has Helm's reason; look at the release and events",
        ("helm -n {storage_namespace} history {release}", "{events}", "{logs}"),
        HR,
    ),
    HintRule(
        "UpgradeFailed",
        ("UpgradeFailed",),
        "helm upgrade failed; the previous release stays deployed",
        ("helm -n {storage_namespace} history {release}", "{events}", "{reconcile_force}"),
        HR,
    ),
    HintRule(
        "TestFailed",
        ("TestFailed",),
        "the chart's Helm tests failed: fix them, or set spec.test.ignoreFailures",
        ("helm -n {storage_namespace} test {release} --logs", "{events}"),
        HR,
    ),
    HintRule(
        "RollbackFailed",
        ("RollbackFailed",),
        "remediation by rollback failed: the release may be left half-upgraded",
        ("helm -n {storage_namespace} history {release}", "{events}"),
        HR,
    ),
    HintRule(
        "UninstallFailed",
        ("UninstallFailed",),
        "helm uninstall failed (a finalizer or a hook)",
        ("helm -n {storage_namespace} history {release}", "{events}"),
        HR,
    ),
    HintRule(
        "RetriesExceeded",
        ("RetriesExceeded",),
        "helm-controller gave up after spec.install/upgrade.remediation.retries; it will not "
        "try again until the spec changes or a reset is requested",
        ("helm -n {storage_namespace} history {release}", "{reconcile_reset}"),
        HR,
    ),
    HintRule(
        "MissingRollbackTarget",
        ("MissingRollbackTarget",),
        "remediation wants to roll back but there is no earlier release to roll back to",
        ("helm -n {storage_namespace} history {release}", "{reconcile_reset}"),
        HR,
    ),
    HintRule(
        "SourceNotReady",
        ("SourceNotReady",),
        "the chart source {source} is not ready: fix it first",
        ("{source_get}", "{reconcile_with_source}"),
        HR,
    ),
    HintRule(
        "ArtifactFailed/helm",
        ("ArtifactFailed",),
        "the chart could not be fetched from {source} (not ready, or the artifact is gone)",
        ("{source_get}", "{reconcile_with_source}"),
        HR,
    ),
    HintRule(
        "ValuesError",
        ("ValuesError",),
        "a spec.valuesFrom reference is missing (the ConfigMap or Secret, or its key), or its "
        "data is not a YAML map",
        ("kubectl -n {namespace} get {values_refs}", "{describe}"),
        HR,
    ),
    HintRule(
        "ChartMutateError",
        ("ChartMutateError",),
        "the loaded chart could not be stamped with the source revision (a broken chart)",
        ("{source_get}", "{logs}"),
        HR,
    ),
    HintRule(
        "RESTClientError",
        ("RESTClientError", "FactoryError", "ConfigFactoryErr", "InitFailed"),
        "helm-controller could not build a client for the target cluster: check "
        "spec.kubeConfig and spec.serviceAccountName",
        ("{describe}", "{logs}"),
        HR,
    ),
    HintRule(
        "GetLastReleaseFailed",
        ("GetLastReleaseFailed", "StateError"),
        "the Helm release storage (sh.helm.release.v1.* Secrets) could not be read or is "
        "inconsistent",
        (
            "kubectl -n {storage_namespace} get secrets -l owner=helm,name={release}",
            "helm -n {storage_namespace} history {release}",
        ),
        HR,
    ),
    # -- HelmChart ------------------------------------------------------------------------------
    HintRule(
        "ChartPullError/not-found",
        ("ChartPullError", "ChartPullFailed", "InvalidChartReference", "ArtifactFailed"),
        "chart not found: check the HelmRepository (its URL, and that it has chart "
        "{chart} in a version matching {version})",
        ("{chart_repository_get}", "{chart_repository_reconcile}", "{get}"),
        ("HelmChart",),
        r"not found|no chart|no '.*' chart|404",
    ),
    HintRule(
        "ChartPullError",
        ("ChartPullError", "ChartPullFailed"),
        "pulling the chart failed (registry credentials, network, TLS)",
        ("{chart_repository_get}", "{events}"),
        ("HelmChart",),
    ),
    HintRule(
        "InvalidChartReference",
        ("InvalidChartReference",),
        "spec.chart does not name a chart in the source (a name in a HelmRepository, a path "
        "in a GitRepository or Bucket)",
        ("{chart_repository_get}", "{describe}"),
        ("HelmChart",),
    ),
    HintRule(
        "ChartPackageError",
        ("ChartPackageError", "ChartPackageFailed", "DependencyBuildError", "MetadataPatchError"),
        "packaging the chart from the source failed (Chart.yaml, dependencies)",
        ("{events}", "{source_get}"),
        ("HelmChart",),
    ),
    HintRule(
        "ValuesFilesError",
        ("ValuesFilesError",),
        "a file of spec.valuesFiles does not exist in the chart or does not merge",
        ("{describe}",),
        ("HelmChart",),
    ),
)
