"""`fluxops drift`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import (
    BuildProgress,
    emit,
    handle_errors,
    parse_cli_duration,
    rich_width,
    stderr_is_terminal,
    stdout_colour,
)
from fluxops.cli.options import engine_options, source_options


@click.command("drift")
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--ks", "ks", metavar="NAMESPACE/NAME", help="Compare one Flux Kustomization.")
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="Compare every Flux Kustomization (the default when PATH has no kustomization file).",
)
@click.option(
    "--cluster",
    metavar="DIR",
    help="The cluster entry the live cluster runs (e.g. clusters/production); required when "
    "the repo has several.",
)
@click.option(
    "--owner",
    metavar="NAMESPACE/NAME",
    help="PATH is an overlay: treat it as this Flux Kustomization's content (owner labels, "
    "its live spec.prune, spec.ignore and inventory).",
)
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Read the live state from a snapshot (a kubectl List in YAML or JSON, the format "
    "`fluxops status --snapshot` reads) instead of a cluster.",
)
@click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster "
    "service account).",
)
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@click.option(
    "--timeout",
    default="10s",
    show_default=True,
    metavar="DURATION",
    help="Bound on connecting and on each API request.",
)
@click.option(
    "--mode",
    type=click.Choice(["fields", "server"]),
    default="fields",
    show_default=True,
    help="fields: compare the fields the repo sets, normalised as the API server does "
    "(read-only, works on snapshots). server: a server-side apply dry run of each object as "
    "kustomize-controller, like `flux diff` (needs permission to patch; writes nothing).",
)
@click.option(
    "--helm",
    is_flag=True,
    help="Also compare the objects of each HelmRelease with its latest deployed Helm release "
    "(read from the release storage Secret; no Helm binary needed).",
)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--show-in-sync",
    is_flag=True,
    help="Text: list every object in sync too (those with notes are always listed).",
)
@click.option("--no-diff", is_flag=True, help="Text: paths and values only, no unified diffs.")
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colours in the text output (default: when stdout is a terminal).",
)
@source_options
@engine_options()
@handle_errors
def drift_command(
    path: str,
    ks: str | None,
    all_: bool,
    cluster: str | None,
    owner: str | None,
    snapshot: str | None,
    kubeconfig: str | None,
    context: str | None,
    timeout: str,
    mode: str,
    helm: bool,
    fmt: str,
    show_in_sync: bool,
    no_diff: bool,
    colour: bool | None,
    sources: tuple[str, ...],
    strict: bool,
    kustomize_bin: str | None,
    jobs: int,
    no_cache: bool,
    allow_remote: bool,
) -> None:
    """Where the live cluster differs from what the repo renders.

    The desired state is what `fluxops build` renders for PATH (an overlay folder, --ks
    NAMESPACE/NAME or --all); the live state is the cluster (--kubeconfig, --context) or a
    --snapshot file. Each object is in sync, missing (Flux would create it), drifted (with
    the fields that differ), orphaned (carries the Kustomization's owner labels or is in its
    inventory but is no longer rendered; says whether Flux prunes it), skipped (ssa: ignore,
    reconcile: disabled) or an error. Secret values are never shown. Nothing is written.

    \b
    Examples:
      fluxops drift apps/production --snapshot live.yaml -o json
      fluxops drift . --ks flux-system/apps --context prod
      fluxops drift . --all --mode server -o markdown > drift.md

    Exit status (as `flux diff`): 0 no drift, 1 drift, 2 error.
    """
    from fluxops import api
    from fluxops.output.registry import View

    progress = None
    if fmt == "text" and all_ and stderr_is_terminal():
        progress = BuildProgress()
    try:
        result = api.drift(
            api.DriftRequest(
                path=path,
                ks=ks,
                all_=all_,
                cluster=cluster,
                snapshot=snapshot,
                kubeconfig=kubeconfig,
                context=context,
                timeout=parse_cli_duration(timeout, "--timeout"),
                mode=mode,
                helm=helm,
                owner=owner,
                sources=list(sources),
                strict=strict,
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
    view = View(
        colour=stdout_colour() if colour is None else colour,
        width=rich_width(),
        show_in_sync=show_in_sync,
        diff=not no_diff,
    )
    sys.exit(emit(result, fmt, view))
