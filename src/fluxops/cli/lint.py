"""`fluxops lint`."""

from __future__ import annotations

import click

from fluxops.cli.common import BuildProgress, engine_options, handle_errors, stderr_is_terminal
from fluxops.cli.validate import emit, report_options, selection_options


def _list_rules() -> None:
    from fluxops.lint.runner import all_rules

    for rule in all_rules():
        click.echo(f"{rule.id:<30} {rule.severity!s:<8} {rule.summary}")


@click.command("lint")
@selection_options
@report_options
@click.option(
    "--no-render",
    is_flag=True,
    help="Lint the files only: do not render the Flux Kustomizations (faster, less exact).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: .fluxops.yaml at the repository root).",
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@engine_options()
@handle_errors
def lint_command(
    path: str,
    ks: str | None,
    all_: bool,
    cluster: str | None,
    sources: tuple[str, ...],
    fmt: str,
    fail_on: str,
    verbose: bool,
    no_render: bool,
    config: str | None,
    list_rules: bool,
    kustomize_bin: str | None,
    jobs: int,
    no_cache: bool,
    allow_remote: bool,
) -> None:
    """Check the repository at PATH against GitOps conventions: prune and intervals, sources and
    dependencies that exist, pinned charts, secrets kept out of values, patches instead of
    copies, image automation markers, current Flux APIs. Rules, severities, thresholds and
    ignored paths come from .fluxops.yaml; `# fluxops:ignore RULE -- reason` suppresses one
    finding. By default the Flux Kustomizations are rendered (as `build --all`, or --ks) so that
    rules see the effective objects.

    Exit status: 0 clean, 1 when a finding at or above --fail-on exists, 2 for usage errors.
    """
    if list_rules:
        _list_rules()
        return
    from pathlib import Path

    from fluxops import api
    from fluxops.lint.runner import META_CODES, all_rules
    from fluxops.output.findings import FindingsReport, RuleMeta

    progress = BuildProgress() if stderr_is_terminal() and not no_render and not ks else None
    try:
        result = api.lint(
            api.LintRequest(
                path=path,
                ks=ks,
                all_=all_,
                cluster=cluster,
                sources=list(sources),
                render=not no_render,
                config=config,
                kustomize_bin=kustomize_bin,
                jobs=jobs,
                cache=not no_cache,
                allow_remote=allow_remote,
                progress=progress,
            )
        )
    finally:
        if progress is not None:
            progress.stop()
    rules = {
        r.id: RuleMeta(
            r.id,
            r.severity,
            r.summary,
            r.description(),
            f"https://github.com/fluxops/fluxops/blob/main/docs/lint.md#{r.id}",
        )
        for r in all_rules()
    }
    rules.update({code: RuleMeta(code, sev, text) for code, (sev, text) in META_CODES.items()})
    report = FindingsReport(
        tool="lint",
        findings=result.findings,
        rules=rules,
        summary=result.summary(),
        root=result.root or Path(path),
    )
    emit(report, fmt, verbose, fail_on)
