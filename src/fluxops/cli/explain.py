"""`fluxops explain KIND/NAMESPACE/NAME`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import emit, handle_errors, parse_cli_duration
from fluxops.cli.options import colour_option, kubeconfig_options, output_options


@click.command("explain")
@click.argument("target", metavar="KIND/NAMESPACE/NAME")
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@kubeconfig_options(namespace=False)
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Read a snapshot (from `fluxops snapshot`) instead of a cluster.",
)
@output_options(
    ["text", "json", "yaml"],
    "text",
    "json and yaml: the envelope of docs/json.md, kind ExplainResult (docs/explain.md).",
)
@colour_option
@click.option(
    "--logs/--no-logs",
    default=True,
    show_default=True,
    help="Read the Flux controllers' log lines about the object (pods/log in --flux-namespace).",
)
@click.option(
    "--log-lines",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Matching log lines to show per controller (the most recent).",
)
@click.option(
    "--log-tail",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Lines read from the end of each controller's log.",
)
@click.option(
    "--flux-namespace",
    default="flux-system",
    show_default=True,
    metavar="NAMESPACE",
    help="Where the Flux controllers run.",
)
@click.option(
    "--inventory/--no-inventory",
    default=True,
    show_default=True,
    help="Check the health (kstatus) of the objects in the object's inventory.",
)
@handle_errors
def explain_command(
    target: str,
    context: str | None,
    kubeconfig: str | None,
    timeout: str,
    snapshot: str | None,
    fmt: str,
    compact: bool,
    colour: bool,
    logs: bool,
    log_lines: int,
    log_tail: int,
    flux_namespace: str,
    inventory: bool,
) -> None:
    """Why one Flux object is not ready, and what to run next.

    Shows the chain that blocks it (dependsOn, recursively, its source and the source's own
    state: root cause first), its conditions with their ages, recent events, the Flux
    controllers' log lines about it (filtered as `flux logs --kind --name -n` filters), the
    objects of its inventory that are not healthy (kstatus), a HelmRelease's history, and
    the next commands.

    KIND is a Flux kind (Kustomization, HelmRelease, GitRepository, ...; case-insensitive,
    plural or short names such as ks and hr work).

    \b
    Examples:
      fluxops explain Kustomization/flux-system/apps
      fluxops explain hr/podinfo/podinfo -o json
      fluxops explain ks/flux-system/infra --snapshot cluster.yaml

    Exit status: 0 when the object is Ready (and its inventory healthy), 1 when it is not,
    2 when it could not be looked at (unreachable cluster, object not found) or for usage
    errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    request = api.ExplainRequest(
        target=target,
        kubeconfig=kubeconfig,
        context=context,
        snapshot=snapshot,
        timeout=parse_cli_duration(timeout, "--timeout"),
        logs=logs,
        log_lines=log_lines,
        log_tail=log_tail,
        flux_namespace=flux_namespace,
        inventory=inventory,
    )
    result = api.explain(request)
    sys.exit(emit(result, fmt, View(colour=fmt == "text" and colour, compact=compact)))
