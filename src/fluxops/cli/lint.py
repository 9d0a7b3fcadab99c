"""`fluxops lint`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import build_progress, emit, handle_errors
from fluxops.cli.options import colour_option, render_options, report_options, selection_options
from fluxops.model.selection import RenderOptions, Selection, as_kwargs


def _list_rules() -> None:
    from fluxops import api

    for rule in api.lint_rules():
        click.echo(f"{rule.id:<30} {rule.severity!s:<8} {rule.summary}")


@click.command("lint")
@selection_options()
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
@render_options()
@colour_option
@handle_errors
def lint_command(
    selection: Selection,
    render: RenderOptions,
    fmt: str,
    compact: bool,
    fail_on: str,
    verbose: bool,
    colour: bool,
    no_render: bool,
    config: str | None,
    list_rules: bool,
) -> None:
    """Check the repository at PATH against GitOps conventions: prune and intervals, sources and
    dependencies that exist, pinned charts, secrets kept out of values, patches instead of
    copies, image automation markers, current Flux APIs. Rules, severities, thresholds and
    ignored paths come from .fluxops.yaml; `# fluxops:ignore RULE -- reason` suppresses one
    finding. By default the Flux Kustomizations are rendered (as `build --all`, or --ks) so that
    rules see the effective objects.

    \b
    Examples:
      fluxops lint examples/podinfo-platform
      fluxops lint examples/podinfo-platform --no-render -o github
      fluxops lint --list-rules

    Exit status: 0 clean, 1 when a finding at or above --fail-on exists, 2 for usage errors.
    """
    if list_rules:
        _list_rules()
        return
    from fluxops import api
    from fluxops.model.findings import Severity
    from fluxops.output.registry import View

    with build_progress(not no_render and not selection.ks) as progress:
        result = api.lint(
            api.LintRequest(
                **as_kwargs(selection),
                **as_kwargs(render, progress=progress),
                render=not no_render,
                config=config,
                fail_on=Severity.parse(fail_on),
            )
        )
    view = View(colour=fmt == "text" and colour, verbose=verbose, compact=compact)
    sys.exit(emit(result, fmt, view))
