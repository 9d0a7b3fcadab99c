"""`fluxops diff`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import emit, handle_errors, rich_width
from fluxops.cli.options import colour_option, output_options, render_options
from fluxops.model.selection import RenderOptions, as_kwargs


@click.command("diff")
@click.argument("repo", type=click.Path(file_okay=False), default=".")
@click.option("--base", required=True, metavar="REF", help="The git revision to compare with.")
@click.option(
    "--head", metavar="REF", help="The git revision to compare (default: the working tree)."
)
@click.option("--cluster", metavar="DIR", help="Only this cluster folder.")
@click.option(
    "--changed-only",
    is_flag=True,
    help="Render only the Kustomizations a changed file reaches (and their parents).",
)
@output_options(
    ["text", "json", "yaml", "markdown"],
    "text",
    "text, json or yaml (the envelope of docs/json.md), or markdown (a PR comment).",
)
@click.option("--no-diff", is_flag=True, help="Text: list what changed, without the diffs.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything differs.")
@click.option("-v", "--verbose", is_flag=True, help="Also show info findings.")
@colour_option
@render_options()
@handle_errors
def diff_command(
    repo: str,
    base: str,
    head: str | None,
    cluster: str | None,
    changed_only: bool,
    fmt: str,
    compact: bool,
    no_diff: bool,
    exit_code: bool,
    verbose: bool,
    colour: bool,
    render: RenderOptions,
) -> None:
    """What Flux would apply differently at HEAD than at BASE: both revisions rendered alike,
    compared per cluster, per Flux Kustomization, per object.

    Both revisions are read from git objects into private folders: the checkout, the index
    and the worktrees are never touched. Objects added, removed, changed (field by field)
    and moved between Kustomizations; HelmReleases also as composed values; Secret values are
    never shown. Removed objects say whether Flux prunes them.

    \b
    Examples:
      fluxops diff . --base origin/main
      fluxops diff . --base origin/main --head HEAD --changed-only -o markdown
      fluxops diff . --base HEAD~1 --exit-code

    Exit status: 0 (or 1 with --exit-code when something differs; always 1 when the head
    breaks a Kustomization the base rendered), 2 for errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    result = api.diff(
        api.DiffRequest(
            path=repo,
            base=base,
            head=head,
            cluster=cluster,
            changed_only=changed_only,
            exit_on_change=exit_code,
            **as_kwargs(render),
        )
    )
    view = View(
        colour=fmt == "text" and colour,
        width=rich_width(),
        diff=not no_diff,
        verbose=verbose,
        compact=compact,
    )
    sys.exit(emit(result, fmt, view))
