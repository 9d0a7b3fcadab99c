"""`valuesFrom` should reference ConfigMaps and Secrets that something in the repository makes.

helm-controller fails the release (`could not find Secret ...`) when a non-optional reference is
missing. A reference counts as defined when the repository (or the rendered output) has the
object, a kustomize `configMapGenerator`/`secretGenerator` makes it, or a secret operator does
(ExternalSecret, SealedSecret, ...: their target name). Mark references that are created outside
Git `optional: true`, or suppress with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import HELM_GROUP, HelmRelease

#: Kinds of secret operators and the name of the Secret they produce (spec path, else metadata).
PRODUCERS = {
    ("external-secrets.io", "ExternalSecret"): ("spec", "target", "name"),
    ("bitnami.com", "SealedSecret"): ("spec", "template", "metadata", "name"),
    ("secrets.hashicorp.com", "VaultStaticSecret"): ("spec", "destination", "name"),
    ("secrets.hashicorp.com", "VaultDynamicSecret"): ("spec", "destination", "name"),
    ("onepassword.com", "OnePasswordItem"): (),
    ("secretgenerator.mittwald.de", "StringSecret"): (),
    ("cert-manager.io", "Certificate"): ("spec", "secretName"),
}

_HR = """\
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
  namespace: apps
spec:
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: app
  valuesFrom:
    - kind: ConfigMap
      name: {name}
"""
_CM = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: apps
resources:
  - hr.yaml
configMapGenerator:
  - name: app-values
    files:
      - values.yaml=values.yaml
"""


class HrValuesFrom(Rule):
    id = "hr-values-from"
    severity = Severity.WARNING
    summary = "valuesFrom to a ConfigMap or Secret that is not defined"
    passing: ClassVar[dict[str, str]] = {
        "app/hr.yaml": _HR.format(name="app-values"),
        "app/kustomization.yaml": _CM,
    }
    failing: ClassVar[dict[str, str]] = {
        "app/hr.yaml": _HR.format(name="app-value"),
        "app/kustomization.yaml": _CM,
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        made = _made(ctx)
        for resource in ctx.effective(HELM_GROUP, "HelmRelease"):
            obj = HelmRelease(resource)
            resource = obj.resource
            ns = ctx.namespace_of(resource)
            for index, entry in enumerate(obj.values_from):
                kind, name = str(entry.get("kind") or ""), str(entry.get("name") or "")
                if entry.get("optional") is True or not name or "${" in name:
                    continue
                if kind not in ("ConfigMap", "Secret"):
                    continue
                found = made.get((kind, name))
                if found is not None and (ns is None or None in found or ns in found):
                    continue
                text = ctx.files.read(resource.origin.file) if resource.origin else None
                yield self.finding(
                    f"valuesFrom[{index}] references {kind} {name}, which nothing in this "
                    "repository creates: the release fails until it exists",
                    resource=resource,
                    line=field_line(resource, text, "spec", "valuesFrom"),
                    path=f"spec.valuesFrom[{index}]",
                    hint="define it, fix the name, or set `optional: true` if it is created "
                    "outside Git",
                )


def _made(ctx: LintContext) -> dict[tuple[str, str], set[str | None]]:
    """(kind, name) -> the namespaces it is made in (None: unknown)."""
    out: dict[tuple[str, str], set[str | None]] = {}

    def add(kind: str, name: object, namespace: str | None) -> None:
        if isinstance(name, str) and name:
            out.setdefault((kind, name), set()).add(namespace)

    for obj in ctx.all_objects():
        key = (obj.id.group, obj.kind)
        if obj.id.group == "" and obj.kind in ("ConfigMap", "Secret"):
            add(obj.kind, obj.name, obj.namespace or ctx.namespace_of(obj))
        elif key in PRODUCERS:
            target: object = obj.raw
            for part in PRODUCERS[key]:
                target = target.get(part) if isinstance(target, dict) else None
            add("Secret", target if isinstance(target, str) else obj.name, obj.namespace or None)
    for kfile in ctx.kustomize_files.values():
        namespace = kfile.data.get("namespace")
        ns = namespace if isinstance(namespace, str) else None
        for field_name, kind in (
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ):
            for gen in kfile.data.get(field_name) or []:
                if isinstance(gen, dict):
                    add(kind, gen.get("name"), gen.get("namespace") or ns)
    # Flux's own: postBuild substituteFrom / valuesFrom may name generated objects of a
    # HelmRelease's chart; those cannot be known offline and are not counted.
    return out
