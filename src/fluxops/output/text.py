"""Plain text reports for people (stderr next to YAML on stdout)."""

from __future__ import annotations

from fluxops.model.findings import Finding
from fluxops.model.results import BuildResult


def finding_line(f: Finding) -> str:
    where = f.location()
    parts = [f"{f.severity}", f.code]
    head = " ".join(parts)
    text = f"{head}: {f.message}"
    if f.object and f.object not in f.message:
        text += f" [{f.object}]"
    if where:
        text = f"{where}: {text}"
    if f.hint:
        text += f"\n    hint: {f.hint}"
    return text


def findings_text(result: BuildResult) -> str:
    lines = []
    for build in result.builds:
        if build.status == "failed":
            where = f" (cluster {build.cluster})" if build.cluster else ""
            lines.append(
                f"FAILED Kustomization {build.ref}{where}, path {build.path or './'}:\n"
                f"    {build.error}"
            )
    for f in result.all_findings():
        if str(f.severity) != "info":
            lines.append(finding_line(f))
    if len(result.builds) > 1 or result.failed:
        lines.append(f"{result.ok} built, {result.failed} failed")
    return "\n".join(lines) + ("\n" if lines else "")
