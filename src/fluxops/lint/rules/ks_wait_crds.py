"""`wait` or `healthChecks` on a Flux Kustomization that only holds CRDs or Namespaces.

Waiting makes the Kustomization Ready only when its objects are healthy; CRDs and Namespaces are
ready as soon as they are applied, so the wait adds a health-check round for nothing, and a
`healthChecks` entry there usually points at the wrong Kustomization (the controller that
serves the CRDs lives elsewhere). Checked on the rendered output (with --no-render: on the
documents under the Kustomization's path).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity

TRIVIAL = {("apiextensions.k8s.io", "CustomResourceDefinition"), ("", "Namespace")}
_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: crds
  namespace: flux-system
spec:
  interval: 1h
  path: ./crds
  prune: true
  {wait}
  sourceRef:
    kind: GitRepository
    name: flux-system
"""
_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object}
"""


class KsWaitCrds(Rule):
    id = "ks-wait-crds-only"
    severity = Severity.WARNING
    summary = "wait/healthChecks on a Kustomization that only holds CRDs or Namespaces"
    passing: ClassVar[dict[str, str]] = {
        "crds.yaml": _KS.format(wait="wait: false"),
        "crds/widgets.yaml": _CRD,
    }
    failing: ClassVar[dict[str, str]] = {
        "crds.yaml": _KS.format(wait="wait: true"),
        "crds/widgets.yaml": _CRD,
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for ks, objects in ctx.kustomization_objects():
            spec = ks.spec
            waits = spec.get("wait") is True
            checks = bool(spec.get("healthChecks"))
            if not objects or not (waits or checks):
                continue
            kinds = {(o.id.group, o.kind) for o in objects}
            if not kinds <= TRIVIAL:
                continue
            what = "wait: true" if waits else "healthChecks"
            held = " and ".join(sorted({k for _, k in kinds}))
            text = ctx.files.read(ks.origin.file) if ks.origin else None
            key = "wait" if waits else "healthChecks"
            yield self.finding(
                f"{what} on a Kustomization that only holds {held} objects: they are ready "
                "when applied, the wait only delays its dependents",
                resource=ks,
                line=field_line(ks, text, "spec", key),
                path=f"spec.{key}",
                hint="drop it, or wait on the Kustomization that runs the controller instead",
            )
