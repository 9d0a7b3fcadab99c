"""A Flux Kustomization should set `prune: true`.

Without pruning, objects removed from Git stay in the cluster forever: renamed Deployments keep
running, deleted RBAC keeps granting access. `prune` is required by the v1 API; `false` is
sometimes deliberate (a Kustomization that only installs CRDs others depend on): say so with a
suppression comment and a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity


class KsPrune(Rule):
    id = "ks-prune"
    severity = Severity.WARNING
    summary = "Flux Kustomization without `prune: true`"
    passing: ClassVar[dict[str, str]] = {
        "apps.yaml": """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
""",
        "apps/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    }
    failing: ClassVar[dict[str, str]] = {
        "apps.yaml": """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: false
  sourceRef:
    kind: GitRepository
    name: flux-system
""",
        "apps/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.kustomizations():
            value = resource.spec.get("prune")
            if value is True or (isinstance(value, str) and "${" in value):
                continue
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            if value is False:
                yield self.finding(
                    "prune is false: objects removed from Git are left running in the cluster",
                    resource=resource,
                    line=field_line(resource, text, "spec", "prune"),
                    path="spec.prune",
                    hint="set `prune: true`, or suppress with a reason if this is deliberate",
                )
            else:
                yield self.finding(
                    "prune is not set (required by kustomize.toolkit.fluxcd.io/v1): objects "
                    "removed from Git would stay in the cluster",
                    resource=resource,
                    line=field_line(resource, text, "spec"),
                    path="spec.prune",
                    hint="add `prune: true` to spec",
                )
