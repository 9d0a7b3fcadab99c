"""`fluxops build`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fluxops.cli.common import BuildProgress, emit, handle_errors, stderr_is_terminal
from fluxops.cli.options import engine_options, source_options


@click.command("build")
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--ks", "ks", metavar="NAMESPACE/NAME", help="Build one Flux Kustomization.")
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="Build every Flux Kustomization reachable from the cluster entries.",
)
@click.option(
    "--cluster",
    metavar="DIR",
    help="Only the cluster whose entry is DIR (e.g. clusters/staging); with --all or --ks.",
)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: the rendered objects; json: a summary per Kustomization.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one YAML file per Flux Kustomization into DIR instead of stdout.",
)
@source_options
@click.option(
    "--owner-labels/--no-owner-labels",
    default=True,
    show_default=True,
    help="Add the kustomize.toolkit.fluxcd.io/name and /namespace labels, as the controller does.",
)
@engine_options()
@handle_errors
def build_command(
    path: str,
    ks: str | None,
    all_: bool,
    cluster: str | None,
    fmt: str,
    output_dir: Path | None,
    sources: tuple[str, ...],
    strict: bool,
    owner_labels: bool,
    kustomize_bin: str | None,
    jobs: int,
    no_cache: bool,
    allow_remote: bool,
) -> None:
    """Render what Flux will apply: a kustomize overlay (PATH), one Flux Kustomization (--ks),
    or all of them (--all), exactly as kustomize-controller builds them.

    Exit status: 0 when everything built, 1 when a Kustomization failed, 2 for usage errors.
    """
    from fluxops import api
    from fluxops.output.build import write_output_dir
    from fluxops.output.escape import escape_text
    from fluxops.output.text import findings_text

    progress = BuildProgress() if all_ and stderr_is_terminal() else None
    try:
        result = api.build(
            api.BuildRequest(
                path=path,
                ks=ks,
                all_=all_,
                cluster=cluster,
                strict=strict,
                owner_labels=owner_labels,
                sources=list(sources),
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
    if output_dir is None or fmt == "json":
        sys.exit(emit(result, fmt))
    written = write_output_dir(result, output_dir)
    click.echo(f"wrote {len(written.written)} files to {output_dir}", err=True)
    for refusal in written.refused:
        click.echo(f"error: {escape_text(refusal)}", err=True)
    click.echo(findings_text(result), err=True, nl=False)
    sys.exit(1 if written.refused else result.exit_code)
