"""A HelmRelease's `interval` should be set, and between 1m and 1h.

The interval is how often helm-controller checks the release (drift detection, upgrade retries,
chart updates from `chart.spec`). The bounds are options:
`lint.options.hr-interval: {min: 1m, max: 1h}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.intervals import interval_problem
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import HELM_GROUP

_HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: {interval}
  chartRef:
    kind: OCIRepository
    name: podinfo
"""


class HrInterval(Rule):
    id = "hr-interval"
    severity = Severity.WARNING
    summary = "HelmRelease interval missing, below 1m or above 1h"
    defaults: ClassVar[dict[str, Any]] = {"min": "1m", "max": "1h"}
    passing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(interval="30m")}
    failing: ClassVar[dict[str, str]] = {"hr.yaml": _HR.format(interval="24h")}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        low, high = self.option(ctx, "min"), self.option(ctx, "max")
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            if (
                not resource.name
                or not resource.spec
                or not ("chart" in resource.spec or "chartRef" in resource.spec)
            ):
                continue  # a kustomize patch of a HelmRelease, not the object
            problem = interval_problem(resource.spec.get("interval"), low, high)
            if problem is None:
                continue
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            yield self.finding(
                problem[0],
                resource=resource,
                line=field_line(resource, text, "spec", "interval")
                or field_line(resource, text, "spec"),
                path="spec.interval",
                hint=problem[1],
            )
