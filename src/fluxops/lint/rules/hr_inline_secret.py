"""HelmRelease values should not hold secrets inline.

A key such as `password`, `token`, `secret`, `apiKey` or `clientSecret` with a literal value in
`spec.values` puts the secret in Git, in the HelmRelease object (readable by everyone who can read
HelmReleases) and in the Helm release Secret history. Put it in a Secret and reference it with
`valuesFrom` (`targetPath` for a single key), or use the chart's `existingSecret`. Empty values,
`${VARIABLES}` (postBuild substitution from a Secret), SOPS-encrypted values, template
references and object names under `...Secret` keys (`githubConfigSecret: runner-secret` names a
Secret) are not reported. The value itself is never printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import HELM_GROUP, HelmRelease
from fluxops.model.secret_keys import inline_secrets, is_sensitive_key

__all__ = ["HrInlineSecret", "is_sensitive_key"]


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    return inline_secrets(value, path)


_HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: grafana
  namespace: monitoring
spec:
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: grafana
{values}
"""


class HrInlineSecret(Rule):
    id = "hr-inline-secret"
    severity = Severity.ERROR
    summary = "HelmRelease values that look like inline secrets"
    passing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(
            values="""\
  values:
    admin:
      existingSecret: grafana-admin
  valuesFrom:
    - kind: Secret
      name: grafana-smtp
      valuesKey: password
      targetPath: smtp.password"""
        )
    }
    failing: ClassVar[dict[str, str]] = {
        "hr.yaml": _HR.format(
            values="""\
  values:
    adminPassword: hunter2
    smtp:
      password: s3cr3t"""
        )
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            obj = HelmRelease(resource)
            resource = obj.resource
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            for path, key in _walk(obj.values, ("spec", "values")):
                dotted = ".".join(path).replace(".[", "[")
                yield self.finding(
                    f"{dotted} holds a literal value for '{key}': secrets in values end up in "
                    "Git, in the HelmRelease and in the Helm release history",
                    resource=resource,
                    line=_line_of_key(resource.origin.line if resource.origin else 1, text, key),
                    path=dotted,
                    hint="move it to a Secret and use `valuesFrom` (with `targetPath`), or the "
                    "chart's existingSecret",
                )


def _line_of_key(start: int, text: str | None, key: str) -> int | None:
    if text is None:
        return None
    lines = text.splitlines()
    for number in range(start - 1, len(lines)):
        if number >= start and lines[number].startswith("---"):
            break
        stripped = lines[number].lstrip(" -")
        if stripped.startswith(f"{key}:") or stripped.startswith(f'"{key}":'):
            return number + 1
    return start
