"""`fluxops status` and `fluxops snapshot`."""

from __future__ import annotations

import gc
import shutil
import sys
import time

import click

from fluxops.cli.common import emit, handle_errors, parse_cli_duration
from fluxops.cli.options import colour_option, kubeconfig_options, output_options
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
    help="All namespaces (the default; as kubectl -A).",
)
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Read a snapshot (a kubectl List in YAML or JSON, e.g. from `fluxops snapshot`) "
    "instead of a cluster.",
)
@output_options(
    ["table", "json", "yaml"],
    "table",
    "table, or json or yaml: the envelope of docs/json.md (indented unless --compact).",
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
    compact: bool,
    tree: bool,
    problems: bool,
    fail_on: str,
    watch: bool,
    interval: str,
    stale_after: str,
    colour: bool,
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
    # a terminal's width; pipes and CI logs get long lines (messages cut at about 120 chars)
    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 240
    # --watch streams documents: one line each (JSON), a `---` before each (YAML)
    view = View(
        colour=colour, width=width, compact=compact or watch, tree=tree, problems_only=problems
    )
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
@output_options(
    ["yaml", "json"],
    None,
    "The snapshot's format (default: yaml; with --file, from its extension: .json is JSON). "
    "With --file, -o json|yaml also prints the envelope of docs/json.md on stdout.",
)
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="Write the snapshot to PATH (mode 0600) instead of stdout.",
)
@click.option("--context", metavar="CONTEXT", help="Kubeconfig context (default: current).")
@kubeconfig_options()
@click.option(
    "-A",
    "--all-namespaces",
    is_flag=True,
    help="All namespaces (the default; as kubectl -A).",
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
@colour_option
@handle_errors
def snapshot_command(
    fmt: str | None,
    compact: bool,
    path: str | None,
    context: str | None,
    kubeconfig: str | None,
    namespace: str | None,
    timeout: str,
    all_namespaces: bool,
    inventory: bool,
    events: bool,
    logs: bool,
    log_tail: int,
    flux_namespace: str,
    colour: bool,
) -> None:
    """Write a snapshot of a live cluster for `status --snapshot` (and `drift --snapshot`,
    `explain --snapshot`, `validate --crds-from-cluster --snapshot`).

    The snapshot is one kubectl List: every Flux object, the Events about them, the
    objects in their inventories, the cluster's CRDs and (annotations of the List) the end of
    each Flux controller's log. Secret data is removed (keys kept, values emptied). It goes to
    stdout (YAML, or JSON with -o json) or, with --file, to a file written with mode 0600.

    \b
    Examples:
      fluxops snapshot > cluster.yaml
      fluxops snapshot --context prod -n apps -o json > prod-apps.json
      fluxops snapshot --file cluster.yaml
      fluxops snapshot --file cluster.json -o json    # the envelope on stdout

    Exit status: 0 when written, 2 when the cluster cannot be read or for usage errors.
    """
    from fluxops import api
    from fluxops.output.registry import View

    if all_namespaces and namespace:
        raise UsageError("-n and -A cannot be used together")
    summary = api.snapshot(
        api.SnapshotRequest(
            output=path or "-",
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
    report = fmt if path and fmt else "text"
    sys.exit(emit(summary, report, View(colour=colour, compact=compact)))
