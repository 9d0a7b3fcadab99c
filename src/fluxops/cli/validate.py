"""`fluxops validate`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import build_progress, emit, handle_errors, stdout_colour
from fluxops.cli.options import render_options, report_options, selection_options
from fluxops.model.selection import RenderOptions, Selection, as_kwargs


@click.command("validate")
@selection_options()
@click.option(
    "--kube-version",
    metavar="X.Y",
    help="Kubernetes version of the built-in schemas (default: the newest shipped).",
)
@click.option(
    "--strict", "strict_schema", is_flag=True, help="Reject fields the schema does not define."
)
@click.option(
    "--require-schemas",
    is_flag=True,
    help="A kind without any schema is an error (default: a warning).",
)
@report_options
@render_options(
    cache_help="Do not read or write the build and schema caches.",
)
@handle_errors
def validate_command(
    selection: Selection,
    render: RenderOptions,
    kube_version: str | None,
    strict_schema: bool,
    require_schemas: bool,
    fmt: str,
    fail_on: str,
    verbose: bool,
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

    with build_progress(selection.all_ or not selection.ks) as progress:
        result = api.validate(
            api.ValidateRequest(
                **as_kwargs(selection),
                **as_kwargs(render, progress=progress),
                kube_version=kube_version,
                strict_schema=strict_schema,
                require_schemas=require_schemas,
                fail_on=Severity.parse(fail_on),
            )
        )
    view = View(colour=fmt == "text" and stdout_colour(), verbose=verbose)
    sys.exit(emit(result, fmt, view))
