"""`fluxops status` and `fluxops snapshot`."""

from __future__ import annotations

import gc
import shutil
import sys
import time

import click

from fluxops.cli.common import emit, handle_errors, parse_cli_duration
from fluxops.cli.options import colour_option, kubeconfig_options
from fluxops.errors import UsageError


@click.command("status")
@click.option(
    "--context",
    "contexts",
    multiple=True,
    metavar="CONTEXT",
    help="Kubeconfig context (repeatable: several clusters, read concurrently, one section "
    "each; default: the current context).",
)
@click.option("--all-contexts", is_flag=True, help="Every context of the kubeconfig.")
@kubeconfig_options()
@click.option(
    "-A",
    "--all-namespaces",
    is_flag=True,
    help="All namespaces (the default; for kubectl habits).",
)
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Read a snapshot (a kubectl List in YAML or JSON, e.g. from `fluxops snapshot`) "
    "instead of a cluster.",
)
@click.option(
    "-o",
    "--output",
    "fmt",
    type=click.Choice(["table", "json", "yaml"]),
    default="table",
    show_default=True,
    help="json is indented at a terminal and one line otherwise (docs/status.md: the schema).",
)
@click.option("--tree", is_flag=True, help="Show the whole dependency graph as a tree.")
@click.option("--problems", is_flag=True, help="Leave Ready objects out of the table.")
@click.option(
    "--fail-on",
    type=click.Choice(["failed", "progressing", "none"]),
    default="failed",
    show_default=True,
    help="Exit 1 when an object is Failed or Stalled (failed), also Progressing or Unknown "
    "(progressing), or never (none).",
)
@click.option(
    "-w",
    "--watch",
    is_flag=True,
    help="Refresh until interrupted or until every object is Ready.",
)
@click.option(
    "--interval",
    default="5s",
    show_default=True,
    metavar="DURATION",
    help="With --watch: time between refreshes.",
)
@click.option(
    "--stale-after",
    default="10m",
    show_default=True,
    metavar="DURATION",
    help="A spec change (or a reconciliation) that no controller has finished for this long "
    "is reported as stale/stuck.",
)
@colour_option
@handle_errors
def status_command(
    contexts: tuple[str, ...],
    all_contexts: bool,
    kubeconfig: str | None,
    namespace: str | None,
    timeout: str,
    all_namespaces: bool,
    snapshot: str | None,
    fmt: str,
    tree: bool,
    problems: bool,
    fail_on: str,
    watch: bool,
    interval: str,
    stale_after: str,
    colour: bool | None,
) -> None:
    """Which Flux objects are failing, why, and what they block.

    Reads every Flux object of the cluster (or of several: --context a --context b,
    --all-contexts) in the API versions it serves, or a snapshot file, and classifies each
    as Ready, Failed, Progressing, Stalled, Suspended or Unknown from its conditions. Root
    causes come first, each with the objects it blocks under it, a hint and the next
    command to run, and its latest warning events.

    \b
    Examples:
      fluxops status
      fluxops status --context staging --context production -o json
      fluxops status -n apps --problems
      fluxops status --snapshot cluster.yaml --tree
      fluxops status --watch --fail-on progressing

    Exit status: 0 when nothing is failing (see --fail-on), 1 when something is, 2 when a
    cluster cannot be read (unreachable, credentials, no Flux) or for usage errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    if all_namespaces and namespace:
        raise UsageError("-n and -A cannot be used together")
    if watch and snapshot:
        raise UsageError("--watch needs a live cluster; a snapshot does not change")
    request = api.StatusRequest(
        contexts=list(contexts),
        all_contexts=all_contexts,
        kubeconfig=kubeconfig,
        namespace=namespace,
        snapshot=snapshot,
        timeout=parse_cli_duration(timeout, "--timeout"),
        stale_after=parse_cli_duration(stale_after, "--stale-after"),
        fail_on=fail_on,
    )
    every = parse_cli_duration(interval, "--interval")
    # A short-lived process over thousands of parsed objects: the cyclic GC only costs time
    # (it is run by hand between --watch refreshes).
    gc.disable()
    use_colour = sys.stdout.isatty() if colour is None else colour
    # a terminal's width; pipes and CI logs get long lines (messages cut at about 120 chars)
    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 240
    # JSON: indented for people at a terminal, one line for pipes (the C encoder: 10x faster)
    compact = watch or (fmt == "json" and not sys.stdout.isatty())
    view = View(colour=use_colour, width=width, compact=compact, tree=tree, problems_only=problems)
    result = None
    try:
        while True:
            current = api.status(request)
            if watch and fmt == "table" and sys.stdout.isatty() and result is not None:
                sys.stdout.write("\x1b[H\x1b[2J")  # clear the screen, as `watch` does
            result = current
            emit(result, fmt, view)
            if not watch or result.all_ready():
                break
            gc.collect()
            time.sleep(max(0.5, every))
    except KeyboardInterrupt:
        if result is None:  # interrupted before anything was shown
            raise
    assert result is not None
    sys.exit(result.exit_code)


@click.command("snapshot")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE",
    help="Where to write (`.json`: JSON, else YAML; `-`: stdout).",
)
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@kubeconfig_options()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default=None,
    help="Override the format chosen from the file name.",
)
@click.option(
    "--inventory/--no-inventory",
    default=True,
    show_default=True,
    help="Include the objects listed in the Kustomizations' and HelmReleases' inventories.",
)
@click.option("--events/--no-events", default=True, show_default=True, help="Include Events.")
@click.option(
    "--logs/--no-logs",
    default=True,
    show_default=True,
    help="Include the end (--log-tail lines) of each Flux controller's log, for "
    "`explain --snapshot`.",
)
@click.option(
    "--log-tail",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Lines of each controller's log to keep.",
)
@click.option(
    "--flux-namespace",
    default="flux-system",
    show_default=True,
    metavar="NAMESPACE",
    help="Where the Flux controllers run (for --logs).",
)
@handle_errors
def snapshot_command(
    output: str,
    context: str | None,
    kubeconfig: str | None,
    namespace: str | None,
    timeout: str,
    fmt: str | None,
    inventory: bool,
    events: bool,
    logs: bool,
    log_tail: int,
    flux_namespace: str,
) -> None:
    """Write a snapshot of a live cluster for `status --snapshot` (and `drift --snapshot`).

    The snapshot is one kubectl List: every Flux object, the Events about them, the
    objects in their inventories and (annotations of the List) the end of each Flux
    controller's log. Secret data is removed (keys kept, values emptied). The
    file is written with mode 0600.

    \b
    Examples:
      fluxops snapshot -o cluster.yaml
      fluxops snapshot --context prod -n apps -o prod-apps.json

    Exit status: 0 when written, 2 when the cluster cannot be read or for usage errors.
    """
    from fluxops import api

    summary = api.snapshot(
        api.SnapshotRequest(
            output=output,
            context=context,
            kubeconfig=kubeconfig,
            namespace=namespace,
            inventory=inventory,
            events=events,
            logs=logs,
            log_tail=log_tail,
            flux_namespace=flux_namespace,
            timeout=parse_cli_duration(timeout, "--timeout"),
            format=fmt,
        )
    )
    sys.exit(emit(summary, "text"))
