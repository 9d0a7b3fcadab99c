"""`fluxops values-diff`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fluxops.cli.common import emit, handle_errors, rich_width
from fluxops.cli.options import colour_option, output_options, render_options
from fluxops.model.selection import RenderOptions, as_kwargs


@click.command("values-diff")
@click.argument("release", required=False)
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option(
    "--envs",
    metavar="A,B[,C]",
    help="Environments to compare: Flux Kustomization names, cluster folders (clusters/A) or overlay folders (apps/A).",
)
@click.option(
    "--env",
    "env_paths",
    multiple=True,
    metavar="NAME=PATH",
    help="An environment stated explicitly (repeatable).",
)
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="Compare every HelmRelease; report those present in only some environments.",
)
@click.option("--all-values", is_flag=True, help="Show equal paths too.")
@click.option(
    "--with-defaults",
    is_flag=True,
    help="Include the chart's default values when the chart is a local folder.",
)
@output_options(
    ["table", "json", "yaml", "markdown"],
    "table",
    "table, json or yaml (the envelope of docs/json.md), or markdown (a PR comment).",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences.")
@render_options()
@colour_option
@handle_errors
def values_diff_command(
    release: str | None,
    path: str,
    envs: str | None,
    env_paths: tuple[str, ...],
    all_: bool,
    all_values: bool,
    with_defaults: bool,
    fmt: str,
    compact: bool,
    exit_code: bool,
    render: RenderOptions,
    colour: bool,
) -> None:
    """How a HelmRelease's effective values differ between environments.

    Values are composed as helm-controller does (valuesFrom in order, targetPath with Helm's
    --set syntax, spec.values on top); the chart and the release settings are compared too.
    Values from Secrets are always masked. RELEASE is NAME or NAMESPACE/NAME.

    \b
    Examples:
      fluxops values-diff podinfo --envs staging,production
      fluxops values-diff --all --envs staging,production -o markdown
      fluxops values-diff apps/podinfo --env a=clusters/a --env b=apps/b

    Exit status: 0 (or 1 with --exit-code when something differs), 2 for errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    if release and path == "." and (all_ or Path(release).is_dir()):
        # `values-diff --all REPO`: the one positional argument is the repository.
        path = release
        release = None
    result = api.values_diff(
        api.ValuesDiffRequest(
            path=path,
            release=release,
            envs=[e.strip() for e in (envs or "").split(",") if e.strip()],
            env_paths=list(env_paths),
            all_=all_,
            all_values=all_values,
            with_defaults=with_defaults,
            exit_on_difference=exit_code,
            **as_kwargs(render),
        )
    )
    view = View(colour=fmt == "table" and colour, width=rich_width(), compact=compact)
    sys.exit(emit(result, fmt, view))
