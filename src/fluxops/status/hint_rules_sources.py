"""Hint rules for sources, image automation, notifications and fluxops's own reasons."""

from __future__ import annotations

from fluxops.status.classify import NOT_RECONCILED, STALE_GENERATION, STUCK_RECONCILING
from fluxops.status.hint_rule import STORAGE_REASONS, HintRule

SOURCE_RULES: tuple[HintRule, ...] = (
    # -- sources -------------------------------------------------------------------------------
    HintRule(
        "GitOperationFailed/auth",
        ("GitOperationFailed", "AuthenticationFailed"),
        "the Git server refused the credentials of Secret {secret}: check the keys "
        "(username/password, identity/known_hosts, bearerToken) and that they are current",
        ("kubectl -n {namespace} describe secret {secret}", "{reconcile}"),
        ("GitRepository", "ImageUpdateAutomation"),
        r"authenticat|authoriz|permission denied|401|403|credentials|could not read Username",
    ),
    HintRule(
        "GitOperationFailed/ref",
        ("GitOperationFailed",),
        "the branch, tag or commit in spec.ref does not exist in {url}",
        ("git ls-remote {url}", "{describe}"),
        ("GitRepository",),
        r"couldn't find remote ref|reference not found|revision not found|unable to resolve",
    ),
    HintRule(
        "GitOperationFailed/network",
        ("GitOperationFailed",),
        "source-controller cannot reach {url} (DNS, network policy, proxy or TLS)",
        ("{events}", "kubectl -n flux-system logs deploy/source-controller --tail=50"),
        ("GitRepository", "ImageUpdateAutomation"),
        r"no such host|connection refused|i/o timeout|dial tcp|tls|x509|unreachable",
    ),
    HintRule(
        "GitOperationFailed",
        ("GitOperationFailed",),
        "a Git operation (clone, checkout, push) failed: the message has Git's reason",
        ("{events}", "{reconcile}"),
    ),
    HintRule(
        "AuthenticationFailed",
        ("AuthenticationFailed",),
        "the credentials in Secret {secret} are missing keys or were rejected",
        ("kubectl -n {namespace} describe secret {secret}", "{reconcile}"),
    ),
    HintRule(
        "URLInvalid",
        ("URLInvalid", "ImageURLInvalid"),
        "spec.url is not valid for this kind ({url})",
        ("{describe}",),
    ),
    HintRule(
        "OCIArtifactPullFailed",
        ("OCIArtifactPullFailed", "OCIPullFailed"),
        "pulling the OCI artifact failed: the tag or semver range matches nothing, or the "
        "registry refused the credentials",
        ("flux pull artifact {url}:{ref_tag} -o /tmp/{name}", "{events}"),
        ("OCIRepository",),
    ),
    HintRule(
        "OCIArtifactLayerOperationFailed",
        ("OCIArtifactLayerOperationFailed",),
        "the artifact has no layer matching spec.layerSelector (media type), or it could not "
        "be extracted",
        ("{describe}", "{events}"),
        ("OCIRepository",),
    ),
    HintRule(
        "IndexationFailed",
        ("IndexationFailed",),
        "the Helm repository index could not be fetched or parsed: is {url} a Helm repository?",
        ("curl -sSfL {url}/index.yaml | head", "{reconcile}"),
        ("HelmRepository",),
    ),
    HintRule(
        "BucketOperationFailed",
        ("BucketOperationFailed",),
        "listing or downloading from the bucket failed (bucket name, endpoint, credentials)",
        ("{describe}", "{events}"),
        ("Bucket",),
    ),
    HintRule(
        "VerificationError",
        ("VerificationError",),
        "signature verification of the source failed (spec.verify): the artifact is unsigned, "
        "or signed with another key or identity",
        ("{describe}", "{events}"),
    ),
    HintRule(
        "ReadOperationFailed/image",
        ("ReadOperationFailed",),
        "scanning the image repository failed (registry credentials, rate limit, network)",
        ("{events}", "{reconcile}"),
        ("ImageRepository",),
    ),
    HintRule(
        "StorageOperationFailed",
        STORAGE_REASONS,
        "a file operation in the controller's storage failed (disk full, volume, permissions)",
        ("kubectl -n flux-system logs deploy/source-controller --tail=50", "flux check"),
    ),
    HintRule(
        "InvalidProviderConfiguration",
        ("InvalidProviderConfiguration", "InvalidSTSConfiguration"),
        "spec.provider or spec.sts is not valid for this source",
        ("{describe}",),
    ),
    HintRule(
        "IncludeUnavailable",
        ("IncludeUnavailable",),
        "a GitRepository in spec.include is not ready",
        ("{describe}",),
        ("GitRepository",),
    ),
    # -- image automation and notifications ------------------------------------------------------
    HintRule(
        "ImagePolicy",
        ("ReconciliationFailed",),
        "no tag of the ImageRepository matches the policy (filterTags, semver range)",
        ("{describe}", "flux get image repository -n {namespace}"),
        ("ImagePolicy",),
    ),
    HintRule(
        "ImageUpdateAutomation",
        (
            "InvalidSourceConfiguration",
            "SourceManagerFailed",
            "UpdateFailed",
            "InvalidPolicySelector",
            "InvalidUpdateStrategy",
            "RemovedTemplateField",
        ),
        "the image update automation cannot update or push to its GitRepository: check "
        "spec.sourceRef, spec.git and spec.update",
        ("{describe}", "{events}"),
        ("ImageUpdateAutomation",),
    ),
    HintRule(
        "TokenNotFound",
        ("TokenNotFound",),
        "the Receiver's spec.secretRef Secret is missing or has no `token` key",
        ("kubectl -n {namespace} describe secret {secret}",),
        ("Receiver",),
    ),
    HintRule(
        "ValidationFailed",
        ("ValidationFailed", "InvalidConfig", "IntervalNotConfigured"),
        "the spec was rejected by the controller: the message says which field",
        ("{describe}",),
    ),
    # -- fluxops's own reasons -------------------------------------------------------------------
    HintRule(
        STALE_GENERATION,
        (STALE_GENERATION, NOT_RECONCILED),
        "no controller has picked up the change: the controller for {kind} may be down, "
        "crash-looping, or overloaded",
        ("flux check", "kubectl -n flux-system get pods", "{logs}"),
    ),
    HintRule(
        STUCK_RECONCILING,
        (STUCK_RECONCILING,),
        "stuck reconciling: it has been progressing for long; usually workloads that do not "
        "become ready",
        ("{rollout}", "{workloads}", "{events}"),
    ),
    HintRule(
        "Suspended",
        ("Suspended",),
        "reconciliation is suspended: nothing changes until it is resumed",
        ("{resume}",),
    ),
    HintRule(
        "*",
        ("*",),
        "the controller reports a failure; its events and logs say more",
        ("{events}", "{logs}", "{reconcile}"),
    ),
)
