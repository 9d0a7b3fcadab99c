"""Flux objects with status, shaped like what the controllers write (field names, reasons and
messages taken from the controllers' docs and code: kustomize-controller docs/spec/v1
"Kustomization Status", helm-controller api/v2, source-controller api/v1 and
internal/helm/chart/errors.go). Shared by the unit tests and the cluster tests, which create
the objects and then write `status` through the status subresource.

Every builder returns a complete object dict (apiVersion, kind, metadata, spec, status).
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

Obj = dict[str, Any]

T0 = "2025-06-01T10:00:00Z"
T1 = "2025-06-01T10:05:00Z"
T2 = "2025-06-01T11:00:00Z"

SOURCE = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE = "kustomize.toolkit.fluxcd.io/v1"
HELM = "helm.toolkit.fluxcd.io/v2"
IMAGE = "image.toolkit.fluxcd.io/v1"
NOTIFICATION = "notification.toolkit.fluxcd.io/v1"
NOTIFICATION_BETA = "notification.toolkit.fluxcd.io/v1beta3"


def sha(text: str, n: int = 40) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def git_revision(branch: str, seed: str) -> str:
    return f"{branch}@sha1:{sha(seed)}"


def cond(
    type_: str,
    status: str,
    reason: str,
    message: str,
    *,
    at: str = T0,
    generation: int = 1,
) -> Obj:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": at,
        "observedGeneration": generation,
    }


def _obj(api_version: str, kind: str, name: str, namespace: str, spec: Obj, status: Obj) -> Obj:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "generation": int(status.pop("_generation", 1)),
            "creationTimestamp": T0,
        },
        "spec": spec,
        "status": status,
    }


def _artifact(kind: str, namespace: str, name: str, revision: str, file: str) -> Obj:
    return {
        "digest": f"sha256:{sha(revision, 64)}",
        "lastUpdateTime": T0,
        "path": f"{kind.lower()}/{namespace}/{name}/{file}",
        "revision": revision,
        "size": 12044,
        "url": f"http://source-controller.flux-system.svc.cluster.local./{kind.lower()}/"
        f"{namespace}/{name}/{file}",
    }


# -- sources -------------------------------------------------------------------------------------


def git_repository(
    name: str,
    namespace: str = "flux-system",
    *,
    url: str = "https://github.com/stefanprodan/podinfo",
    branch: str = "main",
    revision: str | None = None,
    failing: str | None = None,
    reason: str = "GitOperationFailed",
    artifact: bool = True,
    secret: str | None = None,
    generation: int = 1,
    suspend: bool = False,
    at: str = T0,
) -> Obj:
    """Ready with an artifact; or `failing` (a message) with reason `reason`, keeping its last
    artifact unless `artifact` is False."""
    revision = revision or git_revision(branch, f"{namespace}/{name}")
    spec: Obj = {"interval": "1m0s", "url": url, "ref": {"branch": branch}, "timeout": "60s"}
    if secret:
        spec["secretRef"] = {"name": secret}
    if suspend:
        spec["suspend"] = True
    status: Obj = {"_generation": generation, "observedGeneration": generation}
    if failing is None:
        status["conditions"] = [
            cond(
                "Ready",
                "True",
                "Succeeded",
                f"stored artifact for revision '{revision}'",
                at=at,
                generation=generation,
            ),
            cond(
                "ArtifactInStorage",
                "True",
                "Succeeded",
                f"stored artifact for revision '{revision}'",
                at=at,
                generation=generation,
            ),
        ]
    else:
        status["conditions"] = [
            cond(
                "Reconciling",
                "True",
                "ProgressingWithRetry",
                "building artifact",
                at=at,
                generation=generation,
            ),
            cond("Ready", "False", reason, failing, at=at, generation=generation),
            cond("FetchFailed", "True", reason, failing, at=at, generation=generation),
        ]
    if artifact:
        status["artifact"] = _artifact(
            "GitRepository", namespace, name, revision, f"{sha(revision)}.tar.gz"
        )
    return _obj(SOURCE, "GitRepository", name, namespace, spec, status)


def oci_repository(
    name: str,
    namespace: str = "flux-system",
    *,
    url: str = "oci://ghcr.io/stefanprodan/manifests/podinfo",
    tag: str = "latest",
    revision: str | None = None,
    failing: str | None = None,
    reason: str = "OCIArtifactPullFailed",
) -> Obj:
    revision = revision or f"{tag}@sha256:{sha(name, 64)}"
    spec: Obj = {"interval": "10m", "url": url, "ref": {"tag": tag}}
    status: Obj = {"observedGeneration": 1, "url": f"http://source-controller/{name}.tar.gz"}
    if failing is None:
        status["conditions"] = [
            cond("Ready", "True", "Succeeded", f"stored artifact for digest '{revision}'"),
            cond(
                "ArtifactInStorage", "True", "Succeeded", f"stored artifact for digest '{revision}'"
            ),
        ]
        status["artifact"] = _artifact(
            "OCIRepository", namespace, name, revision, f"{sha(revision)}.tar.gz"
        )
    else:
        status["conditions"] = [
            cond("Ready", "False", reason, failing),
            cond("FetchFailed", "True", reason, failing),
        ]
    return _obj(SOURCE, "OCIRepository", name, namespace, spec, status)


def bucket(name: str, namespace: str = "flux-system") -> Obj:
    revision = f"sha256:{sha(name, 64)}"
    spec = {
        "interval": "5m",
        "provider": "generic",
        "bucketName": "podinfo",
        "endpoint": "minio.minio:9000",
        "insecure": True,
    }
    status = {
        "observedGeneration": 1,
        "conditions": [
            cond("Ready", "True", "Succeeded", f"stored artifact: revision '{revision}'")
        ],
        "artifact": _artifact("Bucket", namespace, name, revision, f"{sha(revision)}.tar.gz"),
    }
    return _obj(SOURCE, "Bucket", name, namespace, spec, status)


def helm_repository(
    name: str,
    namespace: str = "flux-system",
    *,
    url: str = "https://stefanprodan.github.io/podinfo",
    oci: bool = False,
    failing: str | None = None,
) -> Obj:
    spec: Obj = {"interval": "1h", "url": url}
    if oci:
        return _obj(
            SOURCE,
            "HelmRepository",
            name,
            namespace,
            {**spec, "type": "oci", "url": "oci://ghcr.io/stefanprodan/charts"},
            {},
        )
    revision = f"sha256:{sha(url, 64)}"
    status: Obj = {
        "observedGeneration": 1,
        "url": f"http://source-controller/helmrepository/{namespace}/{name}/index.yaml",
    }
    if failing is None:
        status["conditions"] = [
            cond("Ready", "True", "Succeeded", f"stored artifact: revision '{revision}'"),
            cond(
                "ArtifactInStorage", "True", "Succeeded", f"stored artifact: revision '{revision}'"
            ),
        ]
        status["artifact"] = _artifact(
            "HelmRepository", namespace, name, revision, f"index-{sha(revision)}.yaml"
        )
    else:
        status["conditions"] = [
            cond("Ready", "False", "IndexationFailed", failing),
            cond("FetchFailed", "True", "IndexationFailed", failing),
        ]
    return _obj(SOURCE, "HelmRepository", name, namespace, spec, status)


def helm_chart(
    name: str,
    namespace: str = "flux-system",
    *,
    chart: str = "podinfo",
    version: str = "6.5.3",
    repository: str = "podinfo",
    revision: str | None = None,
    not_found: bool = False,
) -> Obj:
    """The HelmChart helm-controller generates for a HelmRelease (name `<ns>-<release>`)."""
    revision = revision or version
    spec: Obj = {
        "chart": chart,
        "version": version,
        "sourceRef": {"kind": "HelmRepository", "name": repository},
        "interval": "5m",
        "reconcileStrategy": "ChartVersion",
    }
    status: Obj = {"observedGeneration": 1, "observedChartName": chart}
    if not_found:
        msg = (
            "invalid chart reference: failed to get chart version for remote reference: "
            f"no '{chart}' chart with version matching '{version}' found"
        )
        status["conditions"] = [
            cond("Stalled", "True", "InvalidChartReference", msg),
            cond("Ready", "False", "InvalidChartReference", msg),
            cond("FetchFailed", "True", "InvalidChartReference", msg),
        ]
    else:
        status["conditions"] = [
            cond(
                "Ready",
                "True",
                "ChartPullSucceeded",
                f"pulled '{chart}' chart with version '{revision}'",
            ),
            cond(
                "ArtifactInStorage",
                "True",
                "ChartPullSucceeded",
                f"pulled '{chart}' chart with version '{revision}'",
            ),
        ]
        status["artifact"] = _artifact(
            "HelmChart", namespace, name, revision, f"{chart}-{revision}.tgz"
        )
    return _obj(SOURCE, "HelmChart", name, namespace, spec, status)


def external_artifact(name: str, namespace: str = "flux-system", generator: str = "gen") -> Obj:
    revision = f"latest@sha256:{sha(name, 64)}"
    spec = {
        "sourceRef": {
            "apiVersion": "source.extensions.fluxcd.io/v1beta1",
            "kind": "ArtifactGenerator",
            "name": generator,
        }
    }
    status = {
        "conditions": [
            cond("Ready", "True", "Succeeded", f"stored artifact for revision '{revision}'")
        ],
        "artifact": _artifact(
            "ExternalArtifact", namespace, name, revision, f"{sha(revision)}.tar.gz"
        ),
    }
    return _obj(SOURCE, "ExternalArtifact", name, namespace, spec, status)


def artifact_generator(
    name: str = "gen", namespace: str = "flux-system", source: str = "flux-system"
) -> Obj:
    spec = {
        "sources": [{"alias": "repo", "kind": "GitRepository", "name": source}],
        "artifacts": [
            {"name": "generated", "copy": [{"from": "@repo/deploy/**", "to": "@artifact/"}]}
        ],
    }
    status = {
        "observedGeneration": 1,
        "conditions": [
            cond("Ready", "True", "Succeeded", "reconciliation succeeded, generated 1 artifact(s)")
        ],
    }
    return _obj(
        "source.extensions.fluxcd.io/v1beta1", "ArtifactGenerator", name, namespace, spec, status
    )


# -- Kustomization -------------------------------------------------------------------------------


def kustomization(
    name: str,
    namespace: str = "flux-system",
    *,
    source: tuple[str, str] | tuple[str, str, str] = ("GitRepository", "flux-system"),
    path: str | None = None,
    depends_on: list[str] | None = None,
    applied: str | None = None,
    attempted: str | None = None,
    reason: str = "ReconciliationSucceeded",
    message: str | None = None,
    ready: str = "True",
    reconciling: tuple[str, str] | None = None,
    stalled: tuple[str, str] | None = None,
    generation: int = 1,
    observed: int | None = None,
    conditions_generation: int | None = None,
    suspend: bool = False,
    at: str = T0,
    inventory: list[tuple[str, str]] | None = None,
) -> Obj:
    """`source` is (kind, name) or (kind, name, namespace); `depends_on` NAME or NS/NAME."""
    spec: Obj = {
        "interval": "10m0s",
        "path": path or f"./{name}",
        "prune": True,
        "sourceRef": {"kind": source[0], "name": source[1]},
        "timeout": "5m",
    }
    if len(source) == 3:
        spec["sourceRef"]["namespace"] = source[2]
    if depends_on:
        spec["dependsOn"] = [
            {"name": d.split("/")[1], "namespace": d.split("/")[0]} if "/" in d else {"name": d}
            for d in depends_on
        ]
    if suspend:
        spec["suspend"] = True
    observed = generation if observed is None else observed
    cgen = generation if conditions_generation is None else conditions_generation
    conditions = []
    if reconciling:
        conditions.append(
            cond("Reconciling", "True", reconciling[0], reconciling[1], at=at, generation=cgen)
        )
    if stalled:
        conditions.append(cond("Stalled", "True", stalled[0], stalled[1], at=at, generation=cgen))
    if message is None:
        message = f"Applied revision: {applied}" if ready == "True" else reason
    conditions.append(cond("Ready", ready, reason, message, at=at, generation=cgen))
    status: Obj = {
        "_generation": generation,
        "observedGeneration": observed,
        "conditions": conditions,
    }
    if applied:
        status["lastAppliedRevision"] = applied
    if attempted or applied:
        status["lastAttemptedRevision"] = attempted or applied
    if inventory is not None:
        status["inventory"] = {"entries": [{"id": i, "v": v} for i, v in inventory]}
    return _obj(KUSTOMIZE, "Kustomization", name, namespace, spec, status)


# -- HelmRelease ---------------------------------------------------------------------------------


def release_snapshot(
    name: str, namespace: str, version: int, chart_version: str, status: str, at: str = T0
) -> Obj:
    return {
        "appVersion": chart_version,
        "chartName": "podinfo",
        "chartVersion": chart_version,
        "configDigest": f"sha256:{sha(name + chart_version, 64)}",
        "digest": f"sha256:{sha(name + str(version), 64)}",
        "firstDeployed": T0,
        "lastDeployed": at,
        "name": name,
        "namespace": namespace,
        "status": status,
        "version": version,
    }


def helm_release(
    name: str,
    namespace: str = "podinfo",
    *,
    chart: str = "podinfo",
    version: str = "6.5.3",
    repository: tuple[str, str] = ("podinfo", "flux-system"),
    chart_ref: tuple[str, str] | tuple[str, str, str] | None = None,
    depends_on: list[str] | None = None,
    deployed: str | None = "6.5.3",
    failed_upgrade_to: str | None = None,
    retries_exhausted: bool = False,
    reason: str | None = None,
    message: str | None = None,
    ready: str = "True",
    suspend: bool = False,
    values_from: list[tuple[str, str]] | None = None,
    generation: int = 1,
    target_namespace: str | None = None,
    at: str = T0,
) -> Obj:
    spec: Obj = {"interval": "10m", "releaseName": name}
    if chart_ref:
        chart_ns = chart_ref[2] if len(chart_ref) == 3 else "flux-system"
        spec["chartRef"] = {"kind": chart_ref[0], "name": chart_ref[1], "namespace": chart_ns}
    else:
        spec["chart"] = {
            "spec": {
                "chart": chart,
                "version": version,
                "sourceRef": {
                    "kind": "HelmRepository",
                    "name": repository[0],
                    "namespace": repository[1],
                },
                "interval": "5m",
            }
        }
    if depends_on:
        spec["dependsOn"] = [{"name": d} for d in depends_on]
    if suspend:
        spec["suspend"] = True
    if values_from:
        spec["valuesFrom"] = [{"kind": k, "name": n} for k, n in values_from]
    if target_namespace:
        spec["targetNamespace"] = target_namespace
    history = []
    status: Obj = {
        "_generation": generation,
        "observedGeneration": generation,
        "lastAttemptedGeneration": generation,
        "storageNamespace": namespace,
    }
    if not chart_ref:
        status["helmChart"] = f"{repository[1]}/{namespace}-{name}"
    release = f"{namespace}/{name}"
    conditions: list[Obj] = []
    if failed_upgrade_to:
        history = [
            release_snapshot(name, namespace, 3, failed_upgrade_to, "failed", at=at),
            release_snapshot(name, namespace, 2, deployed or version, "deployed"),
        ]
        msg = message or (
            f"Helm upgrade failed for release {release} with chart {chart}@{failed_upgrade_to}: "
            "context deadline exceeded"
        )
        if retries_exhausted:
            conditions.append(
                cond(
                    "Stalled",
                    "True",
                    "RetriesExceeded",
                    "Failed to upgrade after 1 attempt(s)",
                    at=at,
                    generation=generation,
                )
            )
        conditions += [
            cond("Ready", "False", reason or "UpgradeFailed", msg, at=at, generation=generation),
            cond("Released", "False", "UpgradeFailed", msg, at=at, generation=generation),
        ]
        status.update(
            failures=1,
            upgradeFailures=1,
            lastAttemptedRevision=failed_upgrade_to,
            lastAttemptedReleaseAction="upgrade",
        )
    elif deployed and ready == "True":
        history = [release_snapshot(name, namespace, 2, deployed, "deployed")]
        msg = (
            message
            or f"Helm upgrade succeeded for release {release}.v2 with chart {chart}@{deployed}"
        )
        conditions += [
            cond("Ready", "True", reason or "UpgradeSucceeded", msg, at=at, generation=generation),
            cond("Released", "True", "UpgradeSucceeded", msg, at=at, generation=generation),
        ]
        status.update(lastAttemptedRevision=deployed, lastAttemptedReleaseAction="upgrade")
    else:
        if deployed:
            history = [release_snapshot(name, namespace, 1, deployed, "deployed")]
        conditions.append(
            cond(
                "Ready",
                ready,
                reason or "InstallFailed",
                message or "install failed",
                at=at,
                generation=generation,
            )
        )
    if history:
        status["history"] = history
    status["conditions"] = conditions
    return _obj(HELM, "HelmRelease", name, namespace, spec, status)


# -- image automation and notifications ------------------------------------------------------------


def image_repository(name: str, namespace: str = "flux-system") -> Obj:
    spec = {"image": "ghcr.io/stefanprodan/podinfo", "interval": "5m"}
    status = {
        "observedGeneration": 1,
        "canonicalImageName": "ghcr.io/stefanprodan/podinfo",
        "lastScanResult": {"scanTime": T0, "tagCount": 25, "latestTags": ["6.5.4", "6.5.3"]},
        "conditions": [cond("Ready", "True", "Succeeded", "successful scan: found 25 tags")],
    }
    return _obj(IMAGE, "ImageRepository", name, namespace, spec, status)


def image_policy(name: str, namespace: str = "flux-system", repository: str = "podinfo") -> Obj:
    spec = {"imageRepositoryRef": {"name": repository}, "policy": {"semver": {"range": "6.x"}}}
    status = {
        "observedGeneration": 1,
        "latestRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "6.5.4"},
        "conditions": [
            cond(
                "Ready",
                "True",
                "Succeeded",
                "Latest image tag for ghcr.io/stefanprodan/podinfo resolved to 6.5.4",
            )
        ],
    }
    return _obj(IMAGE, "ImagePolicy", name, namespace, spec, status)


def image_update_automation(
    name: str, namespace: str = "flux-system", source: str = "flux-system"
) -> Obj:
    spec = {
        "interval": "30m",
        "sourceRef": {"kind": "GitRepository", "name": source},
        "git": {
            "checkout": {"ref": {"branch": "main"}},
            "commit": {
                "author": {"name": "fluxcdbot", "email": "fluxcdbot@users.noreply.github.com"}
            },
            "push": {"branch": "main"},
        },
        "update": {"path": "./clusters/my-cluster", "strategy": "Setters"},
    }
    status = {
        "observedGeneration": 1,
        "lastAutomationRunTime": T0,
        "lastPushCommit": sha("push"),
        "lastPushTime": T0,
        "conditions": [cond("Ready", "True", "Succeeded", "repository up-to-date")],
    }
    return _obj(IMAGE, "ImageUpdateAutomation", name, namespace, spec, status)


def provider(name: str, namespace: str = "flux-system") -> Obj:
    obj = _obj(
        NOTIFICATION_BETA,
        "Provider",
        name,
        namespace,
        {"type": "slack", "channel": "general", "secretRef": {"name": "slack-url"}},
        {},
    )
    del obj["status"]
    return obj


def alert(name: str, namespace: str = "flux-system", provider_name: str = "slack") -> Obj:
    spec = {
        "providerRef": {"name": provider_name},
        "eventSeverity": "error",
        "eventSources": [{"kind": "Kustomization", "name": "*"}],
    }
    obj = _obj(NOTIFICATION_BETA, "Alert", name, namespace, spec, {})
    del obj["status"]
    return obj


def receiver(name: str, namespace: str = "flux-system") -> Obj:
    spec = {
        "type": "github",
        "events": ["ping", "push"],
        "secretRef": {"name": "receiver-token"},
        "resources": [{"kind": "GitRepository", "name": "flux-system"}],
    }
    path = f"/hook/{sha(name, 64)}"
    status = {
        "observedGeneration": 1,
        "webhookPath": path,
        "conditions": [
            cond("Ready", "True", "Succeeded", f"Receiver initialized for path: {path}")
        ],
    }
    return _obj(NOTIFICATION, "Receiver", name, namespace, spec, status)


def event(
    involved: Obj,
    reason: str,
    message: str,
    *,
    type_: str = "Warning",
    at: str = T1,
    count: int = 1,
) -> Obj:
    meta = involved["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{meta['name']}.{sha(reason + message + at, 16)}",
            "namespace": meta["namespace"],
        },
        "involvedObject": {
            "apiVersion": involved["apiVersion"],
            "kind": involved["kind"],
            "name": meta["name"],
            "namespace": meta["namespace"],
        },
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": at,
        "lastTimestamp": at,
        "source": {"component": "kustomize-controller"},
        "reportingComponent": "kustomize-controller",
    }


def without_status(obj: Obj) -> Obj:
    out = copy.deepcopy(obj)
    out.pop("status", None)
    out["metadata"] = {
        k: v
        for k, v in out["metadata"].items()
        if k in ("name", "namespace", "labels", "annotations")
    }
    return out


# -- the scenario the status tests share --------------------------------------------------------------

AUTH_FAILURE = (
    "failed to checkout and determine revision: unable to clone "
    "'ssh://git@github.com/acme/platform': ssh: handshake failed: ssh: unable to authenticate, "
    "attempted methods [none publickey], no supported methods remain"
)


def scenario(flux: str = "flux-system", apps: str = "podinfo", team: str = "team-a") -> list[Obj]:
    """A cluster with every kind and every situation the issue lists, in namespaces `flux`
    (sources and Kustomizations), `apps` (HelmReleases) and `team` (a suspended release):

    - a ready chain: GitRepository flux-system -> Kustomization infra -> apps (dependsOn);
    - a failing source (GitRepository platform, auth) blocking three Kustomizations;
    - a dependsOn chain three deep (chain-a -> chain-b -> chain-c) whose end fails to build;
    - a dependency cycle (cycle-x <-> cycle-y);
    - a suspended HelmRelease (team-a/grafana);
    - a stale generation (Kustomization flux-system/stale: generation 3, observed 2);
    - an upgrade that failed after an earlier success (HelmRelease podinfo/podinfo);
    - a chart that does not exist (HelmChart of podinfo/broken);
    - a Kustomization behind its source (flux-system/lagging);
    and one object of every other kind.
    """
    main = git_revision("main", "flux-system/flux-system")
    old = git_revision("main", "old")

    def ks(name: str, **kw: Any) -> Obj:
        kw.setdefault("source", ("GitRepository", "flux-system"))
        return kustomization(name, flux, **kw)

    def waits(name: str, dep: str, **kw: Any) -> Obj:
        return ks(
            name,
            depends_on=[dep],
            ready="False",
            reason="DependencyNotReady",
            message=f"dependency '{flux}/{dep}' is not ready",
            **kw,
        )

    objs: list[Obj] = [
        git_repository("flux-system", flux, revision=main),
        git_repository(
            "platform", flux, failing=AUTH_FAILURE, artifact=False, secret="platform-auth"
        ),
        oci_repository("manifests", flux),
        bucket("legacy", flux),
        helm_repository("podinfo", flux),
        helm_repository("charts-oci", flux, oci=True),
        helm_chart(f"{apps}-podinfo", flux),
        helm_chart(f"{apps}-broken", flux, version="9.9.9", not_found=True),
        helm_chart(f"{team}-grafana", flux, chart="grafana", version="7.0.0"),
        artifact_generator("gen", flux),
        external_artifact("generated", flux, generator="gen"),
        # a ready chain
        ks("infra", applied=main),
        ks("apps", depends_on=["infra"], applied=main),
        ks("lagging", applied=old),
        ks(
            "from-oci",
            source=("OCIRepository", "manifests"),
            applied=f"latest@sha256:{sha('manifests', 64)}",
        ),
        ks("from-bucket", source=("Bucket", "legacy"), applied=f"sha256:{sha('legacy', 64)}"),
        # three Kustomizations behind the failing source
        *[
            ks(
                name,
                source=("GitRepository", "platform"),
                ready="False",
                reason="ArtifactFailed",
                message="Source artifact not found, retrying in 30s",
            )
            for name in ("platform-crds", "platform-controllers", "platform-config")
        ],
        # a dependsOn chain three deep; its end fails to build
        ks(
            "chain-c",
            ready="False",
            reason="BuildFailed",
            message="kustomize build failed: accumulating resources: accumulation "
            "err='accumulating resources from 'deployment.yaml': open "
            "/tmp/kustomization-1/chain-c/deployment.yaml: no such file or directory'",
            attempted=main,
            applied=old,
            reconciling=("ProgressingWithRetry", "Building manifests"),
        ),
        waits("chain-b", "chain-c", applied=main),
        waits("chain-a", "chain-b", applied=main),
        # a cycle
        waits("cycle-x", "cycle-y"),
        waits("cycle-y", "cycle-x"),
        # a stale generation: spec at 3, controller last saw 2
        ks("stale", applied=main, generation=3, observed=2, conditions_generation=2),
        # HelmReleases
        helm_release(
            "podinfo",
            apps,
            repository=("podinfo", flux),
            failed_upgrade_to="6.5.4",
            deployed="6.5.3",
            retries_exhausted=True,
        ),
        helm_release(
            "grafana",
            team,
            chart="grafana",
            version="7.0.0",
            repository=("podinfo", flux),
            deployed="7.0.0",
            suspend=True,
        ),
        helm_release(
            "broken",
            apps,
            repository=("podinfo", flux),
            version="9.9.9",
            deployed=None,
            ready="False",
            reason="ArtifactFailed",
            message=f"HelmChart '{flux}/{apps}-broken' is not ready: invalid chart reference",
        ),
        helm_release(
            "from-oci",
            apps,
            chart_ref=("OCIRepository", "manifests", flux),
            deployed="latest",
        ),
        # image automation and notifications
        image_repository("podinfo", flux),
        image_policy("podinfo", flux),
        image_update_automation("flux-system", flux),
        provider("slack", flux),
        alert("on-call", flux),
        receiver("github", flux),
    ]
    return objs


def scenario_events(objects: list[Obj]) -> list[Obj]:
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    platform = by_name[("GitRepository", "platform")]
    chain_c = by_name[("Kustomization", "chain-c")]
    podinfo = by_name[("HelmRelease", "podinfo")]
    return [
        event(platform, "GitOperationFailed", AUTH_FAILURE, at=T1, count=12),
        event(platform, "GitOperationFailed", "older failure", at=T0),
        event(chain_c, "BuildFailed", "kustomize build failed: accumulating resources", at=T1),
        event(chain_c, "ReconciliationSucceeded", "Reconciliation finished", type_="Normal", at=T0),
        event(
            podinfo,
            "UpgradeFailed",
            "Helm upgrade failed for release podinfo/podinfo with chart podinfo@6.5.4: context deadline exceeded",
            at=T1,
        ),
    ]
