"""HelmRelease values should not hold secrets inline.

A key such as `password`, `token`, `secret`, `apiKey` or `clientSecret` with a literal value in
`spec.values` puts the secret in Git, in the HelmRelease object (readable by everyone who can read
HelmReleases) and in the Helm release Secret history. Put it in a Secret and reference it with
`valuesFrom` (`targetPath` for a single key), or use the chart's `existingSecret`. Empty values,
`${VARIABLES}` (postBuild substitution from a Secret), SOPS-encrypted values, template
references, obvious placeholders (`PLACEHOLDER`, `changeme`, `<token>`) and object names under
`...Secret` keys (`githubConfigSecret: runner-secret` names a Secret) are not reported. Nor is a
value that `valuesFrom` replaces: one entry's `targetPath`, or a key of a whole values document
merged from a ConfigMap or Secret found in the repository. The value itself is never printed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any, ClassVar

import yaml

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
            replaced = _replaced_paths(ctx, obj)
            for path, key in _walk(obj.values, ("spec", "values")):
                dotted = ".".join(path).replace(".[", "[")
                if _covered(path[2:], replaced):
                    continue  # valuesFrom puts the real value there
                yield self.finding(
                    f"{dotted} holds a literal value for '{key}': secrets in values end up in "
                    "Git, in the HelmRelease and in the Helm release history",
                    resource=resource,
                    line=_line_of_key(resource.origin.line if resource.origin else 1, text, key),
                    path=dotted,
                    hint="move it to a Secret and use `valuesFrom` (with `targetPath`), or the "
                    "chart's existingSecret",
                )


def _target_path(text: str) -> tuple[str, ...]:
    """A Helm `--set` style path (`a.b\\.c[0]`) as keys (list indexes as `[i]`)."""
    parts: list[str] = []
    current = ""
    escaped = False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append(current)
            current = ""
        elif char == "[":
            parts.append(current)
            current = "["
        elif char == "]":
            parts.append(current + "]")
            current = ""
        else:
            current += char
    parts.append(current)
    return tuple(p for p in parts if p)


def _document_paths(value: Any, here: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            path = (*here, str(key))
            if isinstance(sub, dict):
                yield from _document_paths(sub, path)
            else:
                yield path


def _merged_document(ctx: LintContext, ref: dict[str, Any], namespace: str) -> Any:
    """The values document a whole-key valuesFrom merges, when the repo holds its source."""
    kind, name = ref.get("kind"), ref.get("name")
    key = str(ref.get("valuesKey") or "values.yaml")
    for obj in ctx.all_objects():
        if obj.id.group != "" or obj.kind != kind or obj.name != name:
            continue
        if obj.namespace and obj.namespace != namespace:
            continue
        text = (obj.raw.get("stringData") or {}).get(key) if kind == "Secret" else None
        data = obj.raw.get("data") or {}
        if text is None and isinstance(data, dict) and isinstance(data.get(key), str):
            text = data[key]
            if kind == "Secret":
                try:
                    text = base64.b64decode(text, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    return None
        if not isinstance(text, str):
            return None
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return None
    return None


def _replaced_paths(ctx: LintContext, obj: HelmRelease) -> list[tuple[str, ...]]:
    """Paths under spec.values that valuesFrom replaces."""
    out = []
    for ref in obj.values_from:
        target = ref.get("targetPath")
        if isinstance(target, str) and target.strip():
            out.append(_target_path(target.strip()))
        elif ref.get("kind") in ("Secret", "ConfigMap"):
            document = _merged_document(ctx, ref, obj.namespace)
            out.extend(_document_paths(document))
    return out


def _covered(path: tuple[str, ...], replaced: list[tuple[str, ...]]) -> bool:
    return any(path[: len(r)] == r for r in replaced if r)


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
