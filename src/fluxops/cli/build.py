"""`fluxops build`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fluxops.cli.common import build_progress, emit, handle_errors
from fluxops.cli.options import colour_option, output_options, render_options, selection_options
from fluxops.model.selection import RenderOptions, Selection, as_kwargs


@click.command("build")
@selection_options(
    ks_help="Build one Flux Kustomization.",
    all_help="Build every Flux Kustomization reachable from the cluster entries.",
    cluster_help="Only the cluster whose entry is DIR (e.g. clusters/staging); with --all or --ks.",
)
@output_options(
    ["yaml", "json"],
    "yaml",
    "yaml: the rendered objects; json: the envelope of docs/json.md (a summary per "
    "Kustomization, the findings).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one YAML file per Flux Kustomization into DIR instead of stdout.",
)
@click.option(
    "--owner-labels/--no-owner-labels",
    default=True,
    show_default=True,
    help="Add the kustomize.toolkit.fluxcd.io/name and /namespace labels, as the controller does.",
)
@click.option(
    "--require-all",
    is_flag=True,
    help="Exit 1 also when a Kustomization was skipped because its source is outside the "
    "repository (by default only failed ones do).",
)
@render_options()
@click.option("-v", "--verbose", is_flag=True, help="List every known name when --ks is unknown.")
@colour_option
@handle_errors
def build_command(
    selection: Selection,
    render: RenderOptions,
    fmt: str,
    compact: bool,
    output_dir: Path | None,
    owner_labels: bool,
    require_all: bool,
    verbose: bool,
    colour: bool,
) -> None:
    """Render what Flux will apply: a kustomize overlay (PATH), one Flux Kustomization (--ks),
    or all of them (--all), exactly as kustomize-controller builds them.

    Every Flux Kustomization is ok, failed, skipped (its source is another repository or an
    OCI registry: map it with --source) or unreached (no cluster entry applies it).

    \b
    Examples:
      fluxops build examples/podinfo-platform --all
      fluxops build examples/podinfo-platform --ks apps --cluster clusters/staging
      fluxops build examples/podinfo-platform --all -o json
      fluxops build examples/podinfo-platform/apps/staging

    Exit status: 0 when everything built, 1 when a Kustomization failed (or, with
    --require-all, was skipped), 2 for usage errors.
    """
    from fluxops import api
    from fluxops.output.build import write_output_dir
    from fluxops.output.escape import escape_text
    from fluxops.output.registry import View
    from fluxops.output.text import findings_text

    with build_progress(selection.all_) as progress:
        result = api.build(
            api.BuildRequest(
                **as_kwargs(selection),
                **as_kwargs(render, progress=progress),
                owner_labels=owner_labels,
                require_all=require_all,
            )
        )
    if output_dir is None or fmt == "json":
        sys.exit(emit(result, fmt, View(colour=colour, compact=compact)))
    written = write_output_dir(result, output_dir)
    click.echo(f"wrote {len(written.written)} files to {output_dir}", err=True)
    for refusal in written.refused:
        click.echo(f"error: {escape_text(refusal)}", err=True)
    click.echo(findings_text(result), err=True, nl=False)
    sys.exit(1 if written.refused else result.exit_code)
