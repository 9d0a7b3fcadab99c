"""A Flux Kustomization's `sourceRef` should name a source defined in the repository.

Flux reports `Source ... not found` and never applies the Kustomization when the GitRepository,
OCIRepository, Bucket or ExternalArtifact it names does not exist. Sources are looked up among
the repository's documents, the rendered output (when lint renders), the ExternalArtifacts that
ArtifactGenerators produce, and the repo's own bootstrap source (`flux-system`, a FluxInstance's
sync). A namespace that is not written in the file (set by a kustomization `namespace:`) matches
any.
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
  path: ./
  prune: true
  sourceRef:
    kind: GitRepository
    name: {name}
"""
_GIT = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  url: https://github.com/example/apps
  ref:
    branch: main
"""


class KsSourceRef(Rule):
    id = "ks-source-ref"
    severity = Severity.ERROR
    summary = "Flux Kustomization sourceRef to a source that is not defined"
    passing: ClassVar[dict[str, str]] = {"ks.yaml": _KS.format(name="apps"), "git.yaml": _GIT}
    failing: ClassVar[dict[str, str]] = {"ks.yaml": _KS.format(name="app"), "git.yaml": _GIT}

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for resource in ctx.kustomizations():
            ref = resource.spec.get("sourceRef")
            assert isinstance(ref, dict)
            kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
            if not name or "${" in name or "<<" in name or "${" in kind:
                continue
            namespace = ref.get("namespace")
            ns = str(namespace) if namespace else ctx.namespace_of(resource)
            if "${" in (ns or ""):
                ns = None
            if ctx.source_defined(kind, ns, name):
                continue
            text = ctx.files.read(resource.origin.file) if resource.origin else None
            where = f"{ns}/{name}" if ns else name
            yield self.finding(
                f"sourceRef {kind}/{where} is not defined in this repository: Flux reports the "
                "source as not found and never applies this Kustomization",
                resource=resource,
                line=field_line(resource, text, "spec", "sourceRef"),
                path="spec.sourceRef",
                hint="define the source, or fix the kind/name/namespace of the reference",
            )
