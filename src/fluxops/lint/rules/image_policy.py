"""An ImagePolicy should have a `policy` and reference an ImageRepository that exists.

Without `spec.policy` (semver, alphabetical or numerical) the policy selects nothing; with an
`imageRepositoryRef` to an ImageRepository that does not exist it never becomes Ready, and every
marker pointing to it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import IMAGE_GROUP

_REPO = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 1h
---
"""
_POLICY = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: {repo}
{policy}
"""


class ImagePolicyRule(Rule):
    id = "image-policy"
    severity = Severity.ERROR
    summary = "ImagePolicy without a policy, or referencing a missing ImageRepository"
    passing: ClassVar[dict[str, str]] = {
        "image.yaml": _REPO
        + _POLICY.format(repo="podinfo", policy="  policy:\n    semver:\n      range: 6.x")
    }
    failing: ClassVar[dict[str, str]] = {
        "image.yaml": _REPO + _POLICY.format(repo="podinf", policy="")
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for policy in ctx.of_kind(IMAGE_GROUP, "ImagePolicy"):
            if not policy.name:
                continue
            text = ctx.files.read(policy.origin.file) if policy.origin else None
            if not isinstance(policy.spec.get("policy"), dict) or not policy.spec.get("policy"):
                yield self.finding(
                    "ImagePolicy has no spec.policy: it selects no image",
                    resource=policy,
                    line=field_line(policy, text, "spec"),
                    path="spec.policy",
                    hint="add `policy: {semver: {range: 1.x}}` (or alphabetical / numerical)",
                )
            ref = policy.spec.get("imageRepositoryRef")
            if not isinstance(ref, dict):
                continue
            name = ref.get("name")
            if not isinstance(name, str) or "${" in name:
                continue
            ns = ref.get("namespace") or ctx.namespace_of(policy)
            if not ctx.defines(IMAGE_GROUP, ["ImageRepository"], name, ns):
                yield self.finding(
                    f"imageRepositoryRef {ns + '/' if ns else ''}{name} is not defined in this "
                    "repository: the policy never becomes Ready",
                    resource=policy,
                    line=field_line(policy, text, "spec", "imageRepositoryRef"),
                    path="spec.imageRepositoryRef",
                    hint="fix the name, or define the ImageRepository",
                )
