"""Image automation markers should be well formed, name an ImagePolicy that exists, and sit
where an ImageUpdateAutomation will update them.

A marker is a line comment `# {"$imagepolicy": "NAMESPACE:NAME"}`, optionally with `:tag`,
`:name` or `:digest`. image-automation-controller silently skips markers that do not parse, that
name a policy it does not know, or that are outside every ImageUpdateAutomation's `update.path`
(default: the source root). It only considers policies in the automation's own namespace that
match its `policySelector`; `:digest` needs the policy's `digestReflectionPolicy`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext, join
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import IMAGE_GROUP

TOKEN = '"$imagepolicy"'
_COMMENT = re.compile(r"#\s*(\{.*\})\s*$")
_VALUE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::(tag|name|digest))?$"
)

_POLICY = """\
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: 6.x
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 1h
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: flux-system
  git:
    commit:
      author: {name: fluxcdbot, email: fluxcdbot@example.com}
    push:
      branch: main
  update:
    path: ./apps
    strategy: Setters
"""
_DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  template:
    spec:
      containers:
        - name: podinfo
          image: ghcr.io/stefanprodan/podinfo:6.5.0 # {{"$imagepolicy": "{ref}"}}
"""


class ImageMarker(Rule):
    id = "image-marker"
    severity = Severity.ERROR
    summary = "Image policy marker malformed, pointing to a missing ImagePolicy, or unreachable"
    passing: ClassVar[dict[str, str]] = {
        "image.yaml": _POLICY,
        "apps/podinfo.yaml": _DEPLOY.format(ref="flux-system:podinfo"),
    }
    failing: ClassVar[dict[str, str]] = {
        "image.yaml": _POLICY,
        "apps/podinfo.yaml": _DEPLOY.format(ref="flux-system/podinfo"),
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        policies = {
            (ctx.namespace_of(r) or "", r.name): r
            for r in ctx.of_kind(IMAGE_GROUP, "ImagePolicy")
            if r.name
        }
        automations = [r for r in ctx.of_kind(IMAGE_GROUP, "ImageUpdateAutomation") if r.name]
        for rel in ctx.files.yaml_files():
            text = ctx.files.read(rel)
            if text is None or "$imagepolicy" not in text:
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if "$imagepolicy" not in line:
                    continue
                yield from self._marker(ctx, rel, number, line, policies, automations)

    def _marker(
        self,
        ctx: LintContext,
        rel: str,
        number: int,
        line: str,
        policies: dict[tuple[str, str], Any],
        automations: list[Any],
    ) -> Iterator[Finding]:
        def bad(message: str, hint: str, severity: Severity | None = None) -> Finding:
            return self.finding(message, file=rel, line=number, hint=hint, severity=severity)

        form = 'use `# {"$imagepolicy": "NAMESPACE:NAME"}` (optionally :tag, :name or :digest)'
        match = _COMMENT.search(line)
        if TOKEN not in line or match is None:
            yield bad('image policy marker is not a `# {"$imagepolicy": ...}` comment', form)
            return
        try:
            data = json.loads(match.group(1))
        except json.JSONDecodeError:
            yield bad("image policy marker is not valid JSON (the controller ignores it)", form)
            return
        value = data.get("$imagepolicy") if isinstance(data, dict) else None
        parsed = _VALUE.match(value) if isinstance(value, str) else None
        if parsed is None:
            yield bad(
                f"image policy marker value {value!r} is not NAMESPACE:NAME[:tag|:name|:digest]",
                form,
            )
            return
        namespace, name, part = parsed.group(1), parsed.group(3), parsed.group(5)
        policy = policies.get((namespace, name)) or policies.get(("", name))
        if policy is None:
            yield bad(
                f"marker points to ImagePolicy {namespace}/{name}, which is not defined in this "
                "repository: the controller silently skips it",
                "fix the namespace/name, or define the ImagePolicy",
            )
            return
        if part == "digest" and policy.spec.get("digestReflectionPolicy") not in (
            "IfNotPresent",
            "Always",
        ):
            yield bad(
                f"`:digest` marker, but ImagePolicy {namespace}/{name} does not reflect digests",
                "set `spec.digestReflectionPolicy: IfNotPresent` on the policy",
            )
        if not automations:
            yield bad(
                "no ImageUpdateAutomation in this repository: nothing updates this marker",
                "define an ImageUpdateAutomation whose update.path covers this file",
                Severity.WARNING,
            )
            return
        reasons = []
        for auto in automations:
            why = _unreachable(ctx, auto, rel, namespace, policy)
            if why is None:
                return
            reasons.append(f"{auto.id.short()}: {why}")
        yield bad(
            "no ImageUpdateAutomation updates this marker (" + "; ".join(reasons[:3]) + ")",
            "put the file under an automation's update.path, in the automation's namespace, "
            "matching its policySelector",
        )


def _unreachable(ctx: LintContext, auto: Any, rel: str, namespace: str, policy: Any) -> str | None:
    auto_ns = ctx.namespace_of(auto)
    if auto_ns is not None and auto_ns != namespace:
        return f"it only uses ImagePolicies of namespace {auto_ns}"
    selector = auto.spec.get("policySelector")
    labels = policy.labels
    if isinstance(selector, dict):
        wanted = selector.get("matchLabels") or {}
        if isinstance(wanted, dict) and any(labels.get(k) != v for k, v in wanted.items()):
            return "the policy does not match its policySelector"
    ref = auto.spec.get("sourceRef") or {}
    root = ctx.source_roots.get((str(ref.get("kind") or "GitRepository"), str(ref.get("name"))))
    if root is None:
        return None  # the source is elsewhere: cannot tell, do not complain
    update = auto.spec.get("update") or {}
    path = update.get("path") if isinstance(update, dict) else None
    base = join(root, path) if isinstance(path, str) and path.strip() else root
    if base and not (rel == base or rel.startswith(base + "/")):
        return f"its update.path is {path or './'}"
    return None
