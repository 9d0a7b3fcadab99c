"""Lint judges what Flux applies: the effective objects (a Kustomization or HelmRelease as its
parent rendered it, patches and postBuild applied), mapped back to their file and line. What
it could not render is said first: one `render-failed` finding per Kustomization that failed,
and every finding that judged a file as written (no render reached it) is marked unrendered,
in every format (the message says so; JSON and SARIF carry `unrendered: true`)."""

from __future__ import annotations

from dataclasses import replace

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import KustomizationBuild

RENDER_FAILED = "render-failed"
RENDER_FAILED_SUMMARY = (
    "A Flux Kustomization failed to render: lint judged the files it applies as written, "
    "not as Flux would apply them."
)
UNRENDERED_SUFFIX = " [unrendered: judged as written in the file, no render reached it]"
UNREACHED_SUFFIX = " [unreached: no cluster entry applies this Kustomization]"


def render_failures(builds: list[KustomizationBuild]) -> list[Finding]:
    """One finding per Kustomization that failed to render: which, where, why."""
    out = []
    for build in builds:
        if build.status != "failed":
            continue
        origin = build.kustomization.origin
        reason = (build.error or "build failed").strip().splitlines()[0][:400]
        where = f" (cluster {build.cluster})" if build.cluster else ""
        out.append(
            Finding(
                RENDER_FAILED,
                Severity.WARNING,
                f"Kustomization {build.ref}{where} failed to render: {reason}; findings on "
                "the files it applies judge them as written",
                file=origin.file if origin else None,
                line=origin.line if origin else None,
                object=f"Kustomization/{build.ref}",
                hint=f"fluxops build . --ks {build.ref} shows the whole error",
            )
        )
    return out


def headline(failures: list[Finding]) -> list[str]:
    """What text output says before any finding."""
    return [f"render failed: {f.message}" for f in failures]


def unreached_files(builds: list[KustomizationBuild]) -> set[str]:
    """Files that define only Kustomizations no cluster entry applies."""
    files: dict[str, bool] = {}
    for build in builds:
        origin = build.kustomization.origin
        if origin is not None:
            files[origin.file] = files.get(origin.file, True) and build.status == "unreached"
    return {file for file, only in files.items() if only}


def mark_unrendered(
    findings: list[Finding], files: set[str], unreached: set[str] | None = None
) -> list[Finding]:
    """Findings on `files` (judged as written, no render reached them) marked as such; on
    files of `unreached` Kustomizations (Flux never applies them) also at most warnings."""
    out = []
    for f in findings:
        if f.code == RENDER_FAILED or f.extra.get("unrendered"):
            out.append(f)
            continue
        if unreached and f.file in unreached:
            f = replace(
                f,
                message=f.message + UNREACHED_SUFFIX,
                severity=min(f.severity, Severity.WARNING),
                extra={**f.extra, "unrendered": True, "unreached": True},
            )
        elif f.file in files:
            f = replace(
                f, message=f.message + UNRENDERED_SUFFIX, extra={**f.extra, "unrendered": True}
            )
        out.append(f)
    return out
