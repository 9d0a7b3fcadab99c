"""Plain text reports for people (stderr next to YAML on stdout)."""

from __future__ import annotations

from fluxops.model.findings import Finding
from fluxops.model.results import BuildResult
from fluxops.output.escape import escape_text


def finding_line(f: Finding) -> str:
    where = escape_text(f.location())
    parts = [f"{f.severity}", escape_text(f.code)]
    head = " ".join(parts)
    text = f"{head}: {escape_text(f.message)}"
    if f.object and f.object not in f.message:
        text += f" [{escape_text(f.object)}]"
    if where:
        text = f"{where}: {text}"
    if f.hint:
        text += f"\n    hint: {escape_text(f.hint)}"
    return text


def findings_text(result: BuildResult) -> str:
    lines = []
    for build in result.builds:
        if build.status == "failed":
            where = f" (cluster {escape_text(build.cluster)})" if build.cluster else ""
            lines.append(
                f"FAILED Kustomization {escape_text(build.ref)}{where}, "
                f"path {escape_text(build.path or './')}:\n"
                f"    {escape_text(build.error, indent='    ')}"
            )
    for f in result.all_findings():
        if str(f.severity) != "info":
            lines.append(finding_line(f))
    if len(result.builds) > 1 or result.failed:
        lines.append(f"{result.ok} built, {result.failed} failed")
    return "\n".join(lines) + ("\n" if lines else "")
