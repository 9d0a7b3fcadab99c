"""`fluxops check [REPO]`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import emit, handle_errors, parse_cli_duration
from fluxops.cli.options import colour_option, kubeconfig_options, output_options


@click.command("check")
@click.argument("repo", required=False, type=click.Path(file_okay=False), metavar="[REPO]")
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@kubeconfig_options(namespace=False)
@click.option(
    "--flux-namespace",
    default="flux-system",
    show_default=True,
    metavar="NAMESPACE",
    help="Where the Flux controllers run.",
)
@output_options(
    ["text", "json", "yaml"],
    "text",
    "json and yaml: the envelope of docs/json.md, kind CheckResult (docs/explain.md).",
)
@colour_option
@handle_errors
def check_command(
    repo: str | None,
    context: str | None,
    kubeconfig: str | None,
    timeout: str,
    flux_namespace: str,
    fmt: str,
    compact: bool,
    colour: bool,
) -> None:
    """Whether the cluster can run Flux, and serves the APIs the repository uses.

    Checks the Kubernetes version against Flux v2.9's minimum (1.33), the Flux controllers
    (Deployments labelled app.kubernetes.io/part-of=flux: present, available, their image
    tags), the Flux kinds and versions the cluster serves and, given REPO, every
    apiVersion/kind in its YAML files: one the cluster does not serve is a finding naming
    the versions it does serve. Read-only.

    \b
    Examples:
      fluxops check
      fluxops check . --context staging -o json

    Exit status: 0 when every check passes, 1 when one fails, 2 when the cluster cannot be
    read or for usage errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    result = api.check(
        api.CheckRequest(
            repo=repo,
            kubeconfig=kubeconfig,
            context=context,
            timeout=parse_cli_duration(timeout, "--timeout"),
            flux_namespace=flux_namespace,
        )
    )
    sys.exit(emit(result, fmt, View(colour=fmt == "text" and colour, compact=compact)))
