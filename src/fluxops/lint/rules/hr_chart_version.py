"""A HelmRelease's `chart.spec.version` should be set to a valid semver range, not `*`.

Without a version (or with `*`) every new chart release, majors included, is installed on the
next reconciliation. An invalid constraint fails the HelmChart (`invalid version constraint`).
Charts from a GitRepository or Bucket are read from a path and ignore `version`, so they are not
checked; neither is `chartRef` (the OCIRepository's `ref` pins it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.lint.semver import is_valid_constraint
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import HELM_GROUP, HelmRelease

_HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 30m
  chart:
    spec:
      chart: podinfo
      {version}
      sourceRef:
        kind: HelmRepository
        name: podinfo
"""


class HrChartVersion(Rule):
    id = "hr-chart-version"
    severity = Severity.WARNING
    summary = "HelmRelease chart version missing, `*`, or not a valid semver range"
    passing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(version='version: ">=6.5.0 <7.0.0"')}
    failing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(version='version: "*"')}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            obj = HelmRelease(resource)
            spec = obj.chart_spec
            if not spec or not obj.resource.name:
                continue
            source = spec.get("sourceRef")
            kind = source.get("kind") if isinstance(source, dict) else None
            if kind in ("GitRepository", "Bucket"):
                continue
            resource = obj.resource
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            version = spec.get("version")
            line = field_line(resource, text, "spec", "chart", "spec", "version") or field_line(
                resource, text, "spec", "chart"
            )
            if version is None:
                if not spec.get("chart"):
                    continue  # a patch that only changes other fields
                yield self.finding(
                    "chart version is not set: every new chart release, majors included, is "
                    "installed on the next reconciliation",
                    resource=resource,
                    line=line,
                    path="spec.chart.spec.version",
                    hint='pin a range such as `version: ">=1.4.0 <2.0.0"` or `1.4.x`',
                )
                continue
            text_version = str(version).strip()
            if "${" in text_version:
                continue
            if text_version in ("*", "x", "X", ">=0.0.0", ">0"):
                yield self.finding(
                    f"chart version {text_version!r} accepts every release, majors included",
                    resource=resource,
                    line=line,
                    path="spec.chart.spec.version",
                    hint="pin a range such as `1.4.x` or `>=1.4.0 <2.0.0`",
                )
            elif not is_valid_constraint(text_version):
                yield self.finding(
                    f"chart version {text_version!r} is not a valid semver range: the HelmChart "
                    "fails with `invalid version constraint`",
                    resource=resource,
                    line=line,
                    path="spec.chart.spec.version",
                    hint="use a version (1.4.2) or a range (1.4.x, ~1.4, >=1.4.0 <2.0.0)",
                    severity=Severity.ERROR,
                )
