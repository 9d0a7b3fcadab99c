"""Plain text reports for people (stderr next to YAML on stdout)."""

from __future__ import annotations

from fluxops.model.findings import Finding
from fluxops.model.results import BuildResult
from fluxops.output.escape import escape_text
from fluxops.output.findings import collapse


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
    lines = [f"note: {escape_text(note)}" for note in result.notes]
    for build in result.builds:
        where = f" (cluster {escape_text(build.cluster)})" if build.cluster else ""
        if build.status == "failed":
            lines.append(
                f"FAILED Kustomization {escape_text(build.ref)}{where}, "
                f"path {escape_text(build.path or './')}:\n"
                f"    {escape_text(build.error, indent='    ')}"
            )
        elif build.status == "skipped":
            url = f" ({escape_text(build.source_url)})" if build.source_url else ""
            lines.append(
                f"SKIPPED Kustomization {escape_text(build.ref)}{where}: its source "
                f"{escape_text(build.source)}{url} is not in this repository; map it with "
                f"{escape_text(build.source_flag)}"
            )
        elif build.status == "unreached":
            origin = build.kustomization.origin
            lines.append(
                f"UNREACHED Kustomization {escape_text(build.ref)}"
                f" ({escape_text(origin.file if origin else '?')}): no cluster entry applies it; "
                "not built (--include-unreached builds it)"
            )
    for f in collapse(result.all_findings()):
        if str(f.severity) != "info":
            lines.append(finding_line(f))
    if len(result.builds) > 1 or result.failed:
        counts = result.summary()
        text = f"{counts['ok']} built, {counts['failed']} failed"
        for status in ("skipped", "unreached"):
            if counts[status]:
                text += f", {counts[status]} {status}"
        lines.append(text)
    return "\n".join(lines) + ("\n" if lines else "")
