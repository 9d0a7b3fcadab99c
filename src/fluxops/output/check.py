"""`fluxops check`: a report for people (text) and the envelope of docs/json.md (JSON/YAML,
kind `CheckResult`, described in docs/explain.md)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fluxops.output.envelope import camel_keys, envelope, register_documents
from fluxops.output.escape import escape_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.status.check_model import CheckResult

#: fields the envelope carries as findings, not as data
_FINDING_FIELDS = frozenset({"findings", "error", "error_hint", "error_code"})


def to_data(result: CheckResult) -> dict[str, Any]:
    """The envelope: counts in `summary`; the cluster, its controllers, the Flux APIs it
    serves and the repository's apiVersions as data; problems (and an error) as findings."""
    summary = {
        "controllers": len(result.controllers),
        "available": sum(1 for c in result.controllers if c.available),
        "servedKinds": len(result.served),
        "repoApiVersions": len(result.repo_api_versions),
        "unserved": sum(1 for r in result.repo_api_versions if not r.ok),
        "kubernetesOk": result.kubernetes_ok,
    }
    fields = {k: v for k, v in asdict(result).items() if k not in _FINDING_FIELDS}
    return envelope(result, summary=summary, data=camel_keys(fields))


def _error(result: CheckResult) -> str:
    if not result.error:
        return ""
    hint = f"\n  hint: {escape_text(result.error_hint)}" if result.error_hint else ""
    return f"error: {escape_text(result.error)}{hint}\n"


@formatter("CheckResult", "text")
def text_format(result: CheckResult, view: View) -> Rendered:
    if result.error:
        return Rendered("", _error(result))
    e = escape_text
    ok, bad = "✔", "✗"
    out = [f"cluster {e(result.cluster)} ({e(result.server)})"]
    mark = ok if result.kubernetes_ok else bad
    out.append(
        f"{mark} Kubernetes {e(result.kubernetes_version)} "
        f"(Flux v2.9 needs >= {result.kubernetes_minimum})"
    )
    if result.controllers:
        out.append(f"controllers in {e(result.flux_namespace)}:")
    for c in result.controllers:
        mark = ok if c.available else bad
        versions = ", ".join(e(v) for v in c.versions if v) or "no tag"
        state = "available" if c.available else f"{e(c.status)}: {e(c.message)}"
        out.append(f"  {mark} {e(c.name)} {versions} ({state})")
    if result.served:
        out.append("Flux APIs served:")
        for s in result.served:
            out.append(f"  {e(s.kind)}: {', '.join(e(v) for v in s.api_versions)}")
    if result.repo is not None:
        used = len(result.repo_api_versions)
        out.append(f"repository {e(result.repo)}: {used} apiVersion/kind pairs")
        for r in result.repo_api_versions:
            if not r.ok:
                served = ", ".join(e(v) for v in r.served) or "none"
                out.append(
                    f"  {bad} {e(r.api_version)} {e(r.kind)} x{r.count} ({e(r.first)}): "
                    f"served: {served}"
                )
    errors = [f for f in result.findings if f.severity >= 30]
    lines = [
        f"{f.severity.name.lower()}: {f.code} {e(f.message)}"
        + (f"\n  at {e(f.location())}" if f.location() else "")
        + (f"\n  hint: {e(f.hint)}" if f.hint else "")
        for f in result.findings
    ]
    verdict = f"{len(errors)} problem(s)" if errors else "all checks passed"
    out.append(verdict)
    return Rendered("\n".join(out) + "\n", "".join(line + "\n" for line in lines))


register_documents("CheckResult", to_data, _error)
