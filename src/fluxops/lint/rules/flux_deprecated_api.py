"""Flux objects should use the current API version.

Flux 2.7 removed `source/v1beta1`, `kustomize/v1beta1`, `helm/v2beta1`, `image/v1beta1` and
`notification/v1beta1`; Flux 2.8 removed `source/v1beta2`, `kustomize/v1beta2`, `helm/v2beta2`
and `notification/v1beta2`: objects in those versions are rejected by a current cluster (error).
Other versions older than the current one still work but are deprecated (warning). `flux migrate`
rewrites the files. The Flux release is the one the cluster applying the file installs (detected
from the repository, or `--flux-version`): on a cluster that still runs Flux 2.6, a `v1beta1`
object works and is reported as deprecated, with the release that removes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import (
    HELM_GROUP,
    IMAGE_GROUP,
    KUSTOMIZE_GROUP,
    LATEST_API_VERSIONS,
    NOTIFICATION_GROUP,
    SOURCE_GROUP,
)

REMOVED: dict[tuple[str, str], str] = {
    (SOURCE_GROUP, "v1beta1"): "2.7",
    (KUSTOMIZE_GROUP, "v1beta1"): "2.7",
    (HELM_GROUP, "v2beta1"): "2.7",
    (IMAGE_GROUP, "v1beta1"): "2.7",
    (NOTIFICATION_GROUP, "v1beta1"): "2.7",
    (SOURCE_GROUP, "v1beta2"): "2.8",
    (KUSTOMIZE_GROUP, "v1beta2"): "2.8",
    (HELM_GROUP, "v2beta2"): "2.8",
    (NOTIFICATION_GROUP, "v1beta2"): "2.8",
}
_HR = """\
apiVersion: helm.toolkit.fluxcd.io/{version}
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: podinfo
"""


def _minor(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor)


class FluxDeprecatedApi(Rule):
    id = "flux-deprecated-api"
    severity = Severity.WARNING
    summary = "Deprecated or removed Flux API version"
    passing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(version="v2")}
    failing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(version="v2beta1")}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.resources:
            group, version, kind = resource.id.group, resource.id.version, resource.kind
            latest = LATEST_API_VERSIONS.get((group, kind))
            if latest is None or version == latest:
                continue
            current = f"{group}/{latest}"
            removed = REMOVED.get((group, version))
            release = ctx.flux_release_of(resource)
            if removed and release is not None and release[:2] < _minor(removed):
                yield self.finding(
                    f"{group}/{version} {kind} is deprecated and removed in Flux {removed} "
                    f"(this cluster runs Flux {release[0]}.{release[1]}); use {current}",
                    resource=resource,
                    path="apiVersion",
                    hint=f"set `apiVersion: {current}` before upgrading Flux to {removed}",
                )
            elif removed:
                yield self.finding(
                    f"{group}/{version} {kind} was removed in Flux {removed}: a current cluster "
                    f"rejects it; use {current}",
                    resource=resource,
                    path="apiVersion",
                    hint=f"set `apiVersion: {current}` (`flux migrate` rewrites files) and "
                    "check the fields that changed",
                    severity=Severity.ERROR,
                )
            else:
                yield self.finding(
                    f"{group}/{version} {kind} is deprecated; use {current}",
                    resource=resource,
                    path="apiVersion",
                    hint=f"set `apiVersion: {current}`",
                )
