"""`fluxops validate`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import (
    BuildProgress,
    emit,
    handle_errors,
    stderr_is_terminal,
    stdout_colour,
)
from fluxops.cli.options import engine_options, report_options, selection_options


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
    from fluxops import api
    from fluxops.model.findings import Severity
    from fluxops.output.registry import View

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
                strict_schema=strict,
                require_schemas=require_schemas,
                strict=strict_substitution,
                kustomize_bin=kustomize_bin,
                jobs=jobs,
                cache=not no_cache,
                allow_remote=allow_remote,
                progress=progress,
                fail_on=Severity.parse(fail_on),
            )
        )
    finally:
        if progress is not None:
            progress.stop()
    view = View(colour=fmt == "text" and stdout_colour(), verbose=verbose)
    sys.exit(emit(result, fmt, view))
