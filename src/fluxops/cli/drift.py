"""`fluxops drift`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import (
    build_progress,
    emit,
    handle_errors,
    parse_cli_duration,
    rich_width,
)
from fluxops.cli.options import (
    colour_option,
    kubeconfig_options,
    output_options,
    render_options,
    selection_options,
)
from fluxops.model.selection import RenderOptions, Selection, as_kwargs


@click.command("drift")
@selection_options(
    ks_help="Compare one Flux Kustomization.",
    all_help="Compare every Flux Kustomization (the default when PATH has no kustomization file).",
    cluster_help="The cluster entry the live cluster runs (e.g. clusters/production); required "
    "when the repo has several.",
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
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@kubeconfig_options(namespace=False)
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
    "--override-manager",
    "override_managers",
    multiple=True,
    metavar="NAME",
    help="A field manager kustomize-controller runs with --override-manager NAME: the fields "
    "it set are taken over by Flux, so those the repo does not set are noted as removed.",
)
@click.option(
    "--fail-on-orphans",
    is_flag=True,
    help="Orphans Flux keeps (spec.prune false, owner labels on an object not in the "
    "inventory) count as drift (exit 1); by default they are reported only.",
)
@output_options(
    ["text", "json", "yaml", "markdown"],
    "text",
    "text, json or yaml (the envelope of docs/json.md), or markdown (a PR comment).",
)
@click.option(
    "--show-in-sync",
    is_flag=True,
    help="Text: list every object in sync too (those with notes are always listed).",
)
@click.option("--no-diff", is_flag=True, help="Text: paths and values only, no unified diffs.")
@click.option("-v", "--verbose", is_flag=True, help="List every known name when --ks is unknown.")
@colour_option
@render_options()
@handle_errors
def drift_command(
    selection: Selection,
    render: RenderOptions,
    owner: str | None,
    snapshot: str | None,
    kubeconfig: str | None,
    context: str | None,
    timeout: str,
    mode: str,
    helm: bool,
    override_managers: tuple[str, ...],
    fail_on_orphans: bool,
    fmt: str,
    compact: bool,
    show_in_sync: bool,
    no_diff: bool,
    verbose: bool,
    colour: bool,
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
      fluxops drift . --ks apps --cluster clusters/production --context prod
      fluxops drift . --all --cluster clusters/production --mode server -o markdown

    Exit status (as `flux diff`): 0 no drift, 1 drift Flux would act on, 2 error.
    """
    from fluxops import api
    from fluxops.output.registry import View

    with build_progress(fmt == "text" and selection.all_) as progress:
        result = api.drift(
            api.DriftRequest(
                **as_kwargs(selection),
                **as_kwargs(render, progress=progress),
                snapshot=snapshot,
                kubeconfig=kubeconfig,
                context=context,
                timeout=parse_cli_duration(timeout, "--timeout"),
                mode=mode,
                helm=helm,
                owner=owner,
                override_managers=override_managers,
                fail_on_orphans=fail_on_orphans,
            )
        )
    view = View(
        colour=colour,
        width=rich_width(),
        compact=compact,
        show_in_sync=show_in_sync,
        diff=not no_diff,
    )
    sys.exit(emit(result, fmt, view))
