"""Deprecated HelmRelease fields: `chart.spec.valuesFile`, and the post-renderer kustomize
`patchesStrategicMerge` / `patchesJson6902`.

`chart.spec.valuesFile` was replaced by `valuesFiles` (a list) and is gone from
helm.toolkit.fluxcd.io/v2; the post-renderer's `patchesStrategicMerge` and `patchesJson6902` were
replaced by `patches` (each with an optional `target`), as in kustomize v5.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
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
      chart: ./charts/podinfo
      {values}
      sourceRef:
        kind: GitRepository
        name: flux-system
"""


class HrDeprecatedChartFields(Rule):
    id = "hr-deprecated-chart-fields"
    severity = Severity.WARNING
    summary = "Deprecated chart.spec and post-renderer fields in a HelmRelease"
    passing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(values="valuesFiles: [values-prod.yaml]")
    }
    failing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(values="valuesFile: values-prod.yaml")
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            obj = HelmRelease(resource)
            resource = obj.resource
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            if "valuesFile" in obj.chart_spec:
                yield self.finding(
                    "chart.spec.valuesFile is deprecated (removed in helm.toolkit.fluxcd.io/v2)",
                    resource=resource,
                    line=field_line(resource, text, "spec", "chart", "spec", "valuesFile"),
                    path="spec.chart.spec.valuesFile",
                    hint="use `valuesFiles: [<file>]`",
                )
            for index, renderer in enumerate(resource.spec.get("postRenderers") or []):
                kustomize = renderer.get("kustomize") if isinstance(renderer, dict) else None
                if not isinstance(kustomize, dict):
                    continue
                for old in ("patchesStrategicMerge", "patchesJson6902"):
                    if old in kustomize:
                        yield self.finding(
                            f"postRenderers[{index}].kustomize.{old} is deprecated",
                            resource=resource,
                            line=field_line(resource, text, "spec", "postRenderers"),
                            path=f"spec.postRenderers[{index}].kustomize.{old}",
                            hint="use `patches:` (each with `patch:` and an optional `target:`)",
                        )
