"""A Flux Kustomization's `interval` should be set, and between 1m and 1h.

The interval is how often Flux re-applies the Kustomization (repairing drift) and retries after a
failure. Below a minute it loads the source and the API server for no gain (use a Receiver to
react to pushes); above an hour drift stays unrepaired. The bounds are options:
`lint.options.ks-interval: {min: 1m, max: 1h}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.intervals import interval_problem
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity

_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: {interval}
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


class KsInterval(Rule):
    id = "ks-interval"
    severity = Severity.WARNING
    summary = "Flux Kustomization interval missing, below 1m or above 1h"
    defaults: ClassVar[dict[str, Any]] = {"min": "1m", "max": "1h"}
    passing: ClassVar[dict[str, str]] = {
        "apps.yaml": _KS.format(interval="10m"),
        "apps/cm.yaml": "kind: ConfigMap\n",
    }
    failing: ClassVar[dict[str, str]] = {
        "apps.yaml": _KS.format(interval="10s"),
        "apps/cm.yaml": "kind: ConfigMap\n",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        low, high = self.option(ctx, "min"), self.option(ctx, "max")
        for resource in ctx.kustomizations():
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
