"""`fluxops validate`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import BuildProgress, engine_options, handle_errors, stderr_is_terminal
from fluxops.errors import EXIT_FINDINGS, EXIT_OK

FORMATS = ["text", "json", "sarif", "github"]
SEVERITIES = ["error", "warning", "info"]


def selection_options(func: click.decorators.FC) -> click.decorators.FC:
    """PATH, --ks, --all, --cluster, --source: the selection `build` uses."""
    func = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="KIND/NAMESPACE/NAME=DIR",
        help="Map a Flux source to a local folder (repeatable).",
    )(func)
    func = click.option(
        "--cluster",
        metavar="DIR",
        help="With --all: only the cluster whose entry is DIR (e.g. clusters/staging).",
    )(func)
    func = click.option(
        "--all",
        "all_",
        is_flag=True,
        help="Every Flux Kustomization reachable from the cluster entries.",
    )(func)
    func = click.option("--ks", "ks", metavar="NAMESPACE/NAME", help="One Flux Kustomization.")(
        func
    )
    return click.argument("path", type=click.Path(file_okay=False), default=".")(func)


def report_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option("-v", "--verbose", is_flag=True, help="Also show info findings.")(func)
    func = click.option(
        "--fail-on",
        type=click.Choice(SEVERITIES),
        default="error",
        show_default=True,
        help="Exit 1 when a finding at or above this severity exists.",
    )(func)
    return click.option(
        "-o",
        "--output",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text (grouped by file), json, sarif (SARIF 2.1.0) or github (workflow annotations).",
    )(func)


def emit(report: object, fmt: str, verbose: bool, fail_on: str) -> None:
    """Print a FindingsReport and exit with the status `--fail-on` asks for."""
    from fluxops.model.findings import Severity
    from fluxops.output.findings import FindingsReport, render

    assert isinstance(report, FindingsReport)
    colour = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in __import__("os").environ
    sys.stdout.write(render(report, fmt, colour=colour, verbose=verbose))
    threshold = Severity.parse(fail_on)
    failed = any(f.severity >= threshold for f in report.findings)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@click.command("validate")
@selection_options
@click.option(
    "--kube-version",
    metavar="X.Y",
    help="Kubernetes version of the built-in schemas (default: the newest shipped).",
)
@click.option("--strict", is_flag=True, help="Reject fields the schema does not define.")
@click.option(
    "--require-schemas",
    is_flag=True,
    help="A kind without any schema is an error (default: a warning).",
)
@report_options
@click.option(
    "--strict-substitution/--no-strict-substitution",
    default=True,
    show_default=True,
    help="postBuild substitution fails on a missing variable, as kustomize-controller >= 1.9.",
)
@engine_options("Do not read or write the build and schema caches.")
@handle_errors
def validate_command(
    path: str,
    ks: str | None,
    all_: bool,
    cluster: str | None,
    sources: tuple[str, ...],
    kube_version: str | None,
    strict: bool,
    require_schemas: bool,
    fmt: str,
    fail_on: str,
    verbose: bool,
    strict_substitution: bool,
    kustomize_bin: str | None,
    jobs: int,
    no_cache: bool,
    allow_remote: bool,
) -> None:
    """Render like `build` (PATH: an overlay; --ks: one Flux Kustomization; --all, or a repo
    without a kustomization file at PATH: all of them), then validate every object against its
    schema: built-in kinds, the Flux CRDs, and every CRD found in the repo or the output, with
    their CEL rules.

    Exit status: 0 clean, 1 when a finding at or above --fail-on exists, 2 for usage errors.
    """
    from pathlib import Path

    from fluxops import api
    from fluxops.output.findings import FindingsReport, RuleMeta
    from fluxops.validate.validator import CODES

    progress = BuildProgress() if stderr_is_terminal() and (all_ or not ks) else None
    try:
        result = api.validate(
            api.ValidateRequest(
                path=path,
                ks=ks,
                all_=all_,
                cluster=cluster,
                sources=list(sources),
                kube_version=kube_version,
                strict=strict,
                require_schemas=require_schemas,
                build_strict=strict_substitution,
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
    notes = [
        f"CEL rule not evaluated ({s.count}x, {s.kind} {s.api_version}): {s.reason}: {s.rule}"
        for s in result.cel_skipped
    ]
    report = FindingsReport(
        tool="validate",
        findings=result.findings,
        rules={code: RuleMeta(code, sev, text) for code, (sev, text) in CODES.items()},
        summary=result.summary(),
        root=result.root or Path(path),
        notes=notes,
    )
    if fmt == "text":
        s = result
        click.echo(
            f"validated {s.validated} of {s.documents} objects (Kubernetes {s.kube_version}, "
            f"Flux {s.flux_release or '?'} CRDs, {s.crds} CRD versions from the repo); "
            f"{s.cel_evaluated} CEL rule checks, {sum(x.count for x in s.cel_skipped)} not "
            f"evaluated; {s.builds_failed} Kustomization(s) failed to render",
            err=True,
        )
    emit(report, fmt, verbose, fail_on)
