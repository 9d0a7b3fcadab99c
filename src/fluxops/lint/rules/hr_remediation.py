"""A HelmRelease configured to retry its install should also remediate its upgrades.

With `install.remediation.retries` (or an install `strategy`) but no `upgrade.remediation` or
upgrade `strategy`, the first install is retried, yet every later chart or values change that
fails leaves the release failed (no retry, no rollback) until someone notices. Configure the
upgrade too: `upgrade: {remediation: {retries: 3, remediateLastFailure: true}}`, or
`strategy: {name: RetryOnFailure}` (Flux 2.6+).

The reverse (upgrade remediation without install remediation) is not reported: the install
happens once, and well-run repositories often configure only the upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
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
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: podinfo
  install:
    remediation:
      retries: 3
{upgrade}
"""


def retries(section: Any) -> bool:
    """Whether install/upgrade is configured to retry or remediate."""
    if not isinstance(section, dict):
        return False
    remediation = section.get("remediation")
    if isinstance(remediation, dict) and remediation.get("retries") not in (None, 0):
        return True
    strategy = section.get("strategy")
    return isinstance(strategy, dict) and strategy.get("name") == "RetryOnFailure"


def has_remediation(section: Any) -> bool:
    if not isinstance(section, dict):
        return False
    return isinstance(section.get("remediation"), dict) or isinstance(section.get("strategy"), dict)


class HrRemediation(Rule):
    id = "hr-remediation"
    severity = Severity.WARNING
    summary = "HelmRelease retries its install but has no upgrade remediation"
    passing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(
            upgrade="  upgrade:\n    remediation:\n      retries: 3\n      remediateLastFailure: true"
        )
    }
    failing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(upgrade="  upgrade:\n    cleanupOnFail: true")
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            spec = resource.spec
            if not ("chart" in spec or "chartRef" in spec):
                continue
            install, upgrade = spec.get("install"), spec.get("upgrade")
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            for configured, name, other, section in (
                (retries(install), "install", "upgrade", upgrade),
            ):
                if configured and not has_remediation(section):
                    yield self.finding(
                        f"{name} is configured to retry, but {other} has no remediation: a "
                        f"failed {other} is never retried or rolled back",
                        resource=resource,
                        line=field_line(resource, text, "spec", other)
                        or field_line(resource, text, "spec", name),
                        path=f"spec.{other}.remediation",
                        hint=f"add `{other}: {{remediation: {{retries: 3, remediateLastFailure: "
                        "true}}}}` or `strategy: {name: RetryOnFailure}`",
                    )
