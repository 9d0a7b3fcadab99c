"""A hint for one classified object: the matching rule of `fluxops.status.hint_rules.RULES`,
its text and commands filled in for the object.

The first matching rule wins. Commands are templates over the object (`{name}`, `{namespace}`, `{reconcile}`, ...); a command whose placeholder has no
value for an object is left out. Two placeholders expand to several commands: `{rollout}`
(one `kubectl rollout status` per workload named in the message) and `{adopt}` (the commands
that let a Helm release adopt an object that already exists).
"""

from __future__ import annotations

import re
import string
from typing import Any

from fluxops.status import accessors as f
from fluxops.status import classify
from fluxops.status.hint_rules import CYCLE, FORBIDDEN, HR, KS, MISSING, RULES, HintRule
from fluxops.status.states import Hint, ObjectStatus, State

__all__ = [
    "CYCLE",
    "FORBIDDEN",
    "MISSING",
    "RULES",
    "HintRule",
    "hint_for",
    "hints_markdown",
    "rule_for",
]


# -- flux CLI names --------------------------------------------------------------------------

_FLUX_CLI = {
    "Kustomization": ("kustomization", "kustomizations"),
    "HelmRelease": ("helmrelease", "helmreleases"),
    "GitRepository": ("source git", "sources git"),
    "OCIRepository": ("source oci", "sources oci"),
    "Bucket": ("source bucket", "sources bucket"),
    "HelmRepository": ("source helm", "sources helm"),
    "HelmChart": ("source chart", "sources chart"),
    "ImageRepository": ("image repository", "image repository"),
    "ImageUpdateAutomation": ("image update", "image update"),
    "ImagePolicy": ("", "image policy"),
    "Receiver": ("receiver", "receivers"),
    "Alert": ("alert", "alerts"),
    "Provider": ("alert-provider", "alert-providers"),
}
_RESUMABLE = {
    "Kustomization",
    "HelmRelease",
    "GitRepository",
    "OCIRepository",
    "Bucket",
    "HelmRepository",
    "HelmChart",
    "ImageRepository",
    "ImageUpdateAutomation",
    "ImagePolicy",
    "Receiver",
    "Alert",
    "Provider",
}


def reconcile_command(kind: str, name: str, namespace: str, extra: str = "") -> str:
    verb = _FLUX_CLI.get(kind, ("", ""))[0]
    if not verb:
        return ""
    return f"flux reconcile {verb} {name} -n {namespace}{extra}"


def get_command(kind: str, name: str, namespace: str) -> str:
    noun = _FLUX_CLI.get(kind, ("", ""))[1]
    if not noun:
        return f"kubectl -n {namespace} get {kind.lower()} {name}"
    return f"flux get {noun} {name} -n {namespace}"


def _split_id(object_id: str) -> tuple[str, str, str]:
    kind, _, rest = object_id.partition("/")
    namespace, _, name = rest.partition("/")
    return kind, namespace, name


_WORKLOAD = re.compile(r"\b(Deployment|StatefulSet|DaemonSet)/([a-z0-9.-]+)/([a-z0-9.-]+)")
_CONFLICT = re.compile(r'(\w+) "([^"]+)" in namespace "([^"]*)" exists and cannot be imported')
_DEPENDENCY = re.compile(r"dependency '([^'/]+)/([^']+)'")


def _context(obj: dict[str, Any], status: ObjectStatus, source: str | None) -> dict[str, Any]:
    spec = f.spec(obj)
    kind, name, ns = status.kind, status.name, status.namespace
    ctx: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "namespace": ns,
        "path": f.s(spec.get("path")) or "./",
        "attempted": f.short_revision(status.attempted_revision) or "(unknown)",
        "url": f.mask(f.s(spec.get("url"))),
        "secret": f.s(f.d(spec.get("secretRef")).get("name")),
        "reconcile": reconcile_command(kind, name, ns),
        "get": get_command(kind, name, ns),
        "describe": f"kubectl -n {ns} describe {kind.lower()} {name}",
        "events": f"flux events --for {kind}/{name} -n {ns}",
        "logs": f"flux logs --kind={kind} --name={name} -n {ns} --level=error",
        "resume": f"flux resume {_FLUX_CLI[kind][0]} {name} -n {ns}"
        if kind in _RESUMABLE and _FLUX_CLI.get(kind, ("", ""))[0]
        else "",
        "ref_tag": f.s(f.d(spec.get("ref")).get("tag")) or "latest",
    }
    ctx["reconcile_with_source"] = (
        reconcile_command(kind, name, ns, " --with-source") if kind in KS + HR else ""
    )
    ctx["reconcile_force"] = reconcile_command(kind, name, ns, " --force") if kind in HR else ""
    ctx["reconcile_reset"] = reconcile_command(kind, name, ns, " --reset") if kind in HR else ""
    ctx["source"] = source or "its source"
    if source:
        skind, sns, sname = _split_id(source)
        ctx["source_get"] = get_command(skind, sname, sns)
    else:
        ctx["source_get"] = ""
    decryption = f.d(spec.get("decryption"))
    ctx["decryption_secret"] = f.s(f.d(decryption.get("secretRef")).get("name"))
    # HelmRelease
    release_name = f.s(spec.get("releaseName"))
    target = f.s(spec.get("targetNamespace"))
    if not release_name:
        release_name = f"{target}-{name}" if target else name
    ctx["release"] = release_name if kind in HR else ""
    ctx["target_namespace"] = target or ns
    ctx["storage_namespace"] = f.s(spec.get("storageNamespace")) or ns
    refs = [
        f"{f.s(v.get('kind')).lower()}/{f.s(v.get('name'))}"
        for v in (f.d(x) for x in spec.get("valuesFrom") or [])
        if v.get("kind") and v.get("name")
    ]
    ctx["values_refs"] = " ".join(refs)
    # HelmChart
    ctx["chart"] = f.s(spec.get("chart")) or "(spec.chart)"
    ctx["version"] = f.s(spec.get("version")) or "*"
    chart_source = f.d(spec.get("sourceRef"))
    if kind == "HelmChart" and chart_source.get("name"):
        ckind = f.s(chart_source.get("kind")) or "HelmRepository"
        cname = f.s(chart_source.get("name"))
        ctx["chart_repository_get"] = get_command(ckind, cname, ns)
        ctx["chart_repository_reconcile"] = reconcile_command(ckind, cname, ns)
    else:
        ctx["chart_repository_get"] = ctx["chart_repository_reconcile"] = ""
    dep = _DEPENDENCY.search(status.message)
    ctx["dependency_get"] = get_command(kind, dep.group(2), dep.group(1)) if dep else ""
    if kind == "Kustomization":
        ctx["workloads"] = (
            "kubectl get deployments,statefulsets,daemonsets -A -l "
            f"kustomize.toolkit.fluxcd.io/name={name},kustomize.toolkit.fluxcd.io/namespace={ns}"
        )
    elif kind == "HelmRelease":
        ctx["workloads"] = (
            f"kubectl -n {ctx['target_namespace']} get pods -l "
            f"app.kubernetes.io/instance={release_name}"
        )
    else:
        ctx["workloads"] = ""
    return ctx


def _expand(template: str, ctx: dict[str, Any], status: ObjectStatus) -> list[str]:
    if template == "{rollout}":
        text = " ".join([status.message, *(c.message for c in status.conditions)])
        seen: dict[str, None] = {}
        for kind, ns, name in _WORKLOAD.findall(text):
            seen[f"kubectl -n {ns} rollout status {kind.lower()}/{name} --timeout=60s"] = None
        return list(seen)
    if template == "{adopt}":
        m = _CONFLICT.search(" ".join([status.message, *(c.message for c in status.conditions)]))
        if not m or not ctx.get("release"):
            return []
        okind, oname, ons = m.group(1).lower(), m.group(2), m.group(3)
        nsflag = f"-n {ons} " if ons else ""
        return [
            f"kubectl {nsflag}annotate {okind} {oname} --overwrite "
            f"meta.helm.sh/release-name={ctx['release']} "
            f"meta.helm.sh/release-namespace={ctx['storage_namespace']}",
            f"kubectl {nsflag}label {okind} {oname} --overwrite app.kubernetes.io/managed-by=Helm",
            f"# or delete it: kubectl {nsflag}delete {okind} {oname}",
        ]
    names = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    if any(not ctx.get(n) for n in names):
        return []
    return [template.format(**ctx)]


def _fill(text: str, ctx: dict[str, Any]) -> str:
    try:
        return text.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return text


def rule_for(reason: str, kind: str, message: str) -> HintRule:
    return next(r for r in RULES if r.matches(reason, kind, message))


def hint_reason(status: ObjectStatus) -> str | None:
    """The reason a hint is looked up by, or None when the object needs none."""
    if status.state == State.SUSPENDED:
        return "Suspended"
    if status.state == State.PROGRESSING and status.stale:
        if status.reason == classify.STALE_GENERATION:
            return classify.STALE_GENERATION
        return classify.STUCK_RECONCILING
    if status.state == State.UNKNOWN and status.stale:
        return classify.NOT_RECONCILED
    if status.state.failing:
        return status.reason or "*"
    return None


def hint_for(obj: dict[str, Any], status: ObjectStatus, source: str | None = None) -> Hint | None:
    """The hint for one classified object (None for healthy or merely progressing ones)."""
    reason = hint_reason(status)
    if reason is None:
        return None
    rule = rule_for(reason, status.kind, status.message)
    rules = [rule]
    ready = next((c for c in status.conditions if c.type == "Ready"), None)
    if (
        status.state == State.STALLED
        and ready is not None
        and ready.status == "False"
        and ready.reason
        and ready.reason != status.reason
    ):
        # Stalled says "gave up"; Ready says why it failed: both help
        underlying = rule_for(ready.reason, status.kind, ready.message)
        if underlying.key != "*" and underlying is not rule:
            rules.append(underlying)
    ctx = _context(obj, status, source)
    commands: list[str] = []
    texts: list[str] = []
    for r in rules:
        texts.append(_fill(r.text, ctx))
        for template in r.commands:
            for command in _expand(template, ctx, status):
                if command not in commands:
                    commands.append(command)
    return Hint(reason=rule.key, text="; ".join(texts), commands=tuple(commands))


def hints_markdown() -> str:
    """The hint table as docs/status.md shows it (generated; a test keeps them in step)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| hint | reasons | kinds | message matches | what it says | commands |",
        "|---|---|---|---|---|---|",
    ]
    extra = [
        HintRule(MISSING.reason, ("(a reference)",), MISSING.text),
        HintRule(FORBIDDEN.reason, ("(a reference)",), FORBIDDEN.text),
        HintRule(CYCLE.reason, ("(dependsOn)",), CYCLE.text),
    ]
    for rule in (*RULES, *extra):
        commands = "<br>".join(f"`{cell(c)}`" for c in rule.commands) or "-"
        lines.append(
            f"| `{rule.key}` | {', '.join(rule.reasons)} | {', '.join(rule.kinds) or 'any'} | "
            f"{('`' + cell(rule.message) + '`') if rule.message else '-'} | {cell(rule.text)} | "
            f"{commands} |"
        )
    return "\n".join(lines) + "\n"
