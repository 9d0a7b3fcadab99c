"""A Flux Kustomization's `path` should exist in its source.

Flux fails the Kustomization with `kustomization path not found` when `spec.path` is not a folder
of the source. Checked for sources whose files are in this repository (the bootstrap source, or a
source whose URL is this repository); paths of external sources, ExternalArtifacts and paths with
`${VARIABLES}` are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity

_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


class KsPath(Rule):
    id = "ks-path"
    severity = Severity.ERROR
    summary = "Flux Kustomization path that does not exist"
    passing: ClassVar[dict[str, str]] = {
        "ks.yaml": _KS.format(path="./apps/prod"),
        "apps/prod/cm.yaml": "kind: ConfigMap\n",
    }
    failing: ClassVar[dict[str, str]] = {
        "ks.yaml": _KS.format(path="./apps/production"),
        "apps/prod/cm.yaml": "kind: ConfigMap\n",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.kustomizations():
            ref = resource.spec["sourceRef"]
            kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
            root = ctx.source_roots.get((kind, name))
            if root is None:
                continue
            path = resource.spec.get("path")
            path = path if isinstance(path, str) else ""
            if "${" in path or "<<" in path:
                continue
            clean = "/".join(p for p in path.strip().split("/") if p and p != ".")
            target = f"{root}/{clean}".strip("/") if root else clean
            if ".." in clean.split("/") or ctx.files.is_dir(target):
                continue
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            yield self.finding(
                f"path {path!r} does not exist in source {kind}/{name}"
                + (f" (its files are under '{root}/')" if root else "")
                + ": Flux fails with `kustomization path not found`",
                resource=resource,
                line=field_line(resource, text, "spec", "path"),
                path="spec.path",
                hint="fix the path (it is relative to the source root, not to this file)",
            )
