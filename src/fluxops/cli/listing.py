"""`fluxops list`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import build_progress, emit, handle_errors
from fluxops.cli.options import colour_option, output_options, render_options
from fluxops.model.selection import RenderOptions, as_kwargs


@click.command("list")
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--cluster", metavar="DIR", help="Only the cluster whose entry is DIR.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["Kustomization", "HelmRelease", "Source"]),
    help="Only this kind of object (repeatable).",
)
@click.option("-n", "--namespace", help="Only objects in this namespace.")
@output_options(
    ["text", "json", "yaml"],
    "text",
    "json and yaml: the envelope of docs/json.md, kind ListResult.",
)
@colour_option
@render_options()
@handle_errors
def list_command(
    path: str,
    cluster: str | None,
    kinds: tuple[str, ...],
    namespace: str | None,
    fmt: str,
    compact: bool,
    colour: bool,
    render: RenderOptions,
) -> None:
    """The Flux Kustomizations, HelmReleases and sources the repository at PATH defines, per
    cluster: paths, sources, dependsOn, and the Kustomization that defines each object (every
    Kustomization is rendered, so objects that Kustomizations render are listed too).

    Exit status: 0, 1 when a Kustomization failed to render (what it defines is missing), 2
    for usage errors.
    """
    from fluxops import api

    with build_progress(True) as progress:
        result = api.list_(
            api.ListRequest(
                path=path,
                cluster=cluster,
                kinds=list(kinds),
                namespace=namespace,
                **as_kwargs(render, progress=progress),
            )
        )
    from fluxops.output.registry import View

    sys.exit(emit(result, fmt, View(colour=fmt == "text" and colour, compact=compact)))
