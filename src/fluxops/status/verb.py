"""The `status` and `snapshot` verbs: the reconciliation state of every Flux object of one or
more clusters (or of a snapshot file), and the snapshot that records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fluxops.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from fluxops.cluster.snapshot_writer import SnapshotSummary
    from fluxops.status.states import ClusterStatus, StatusResult


@dataclass
class StatusRequest:
    """Which clusters to read: kubeconfig `contexts` (none: the current one), every context
    (`all_contexts`), or a `snapshot` file instead. `namespace` None reads all namespaces.
    `stale_after` (seconds): a spec change no controller has picked up for this long is stale.
    `now` fixes the clock (tests; a snapshot defaults to the time it was taken)."""

    contexts: list[str] = field(default_factory=list)
    all_contexts: bool = False
    kubeconfig: str | None = None
    namespace: str | None = None
    snapshot: str | None = None
    timeout: float = 10.0
    stale_after: float = 600.0
    fail_on: str = "failed"
    now: datetime | None = None


def run(request: StatusRequest) -> StatusResult:
    """Classify every Flux object of one or more clusters (or a snapshot), root causes first."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    from fluxops.cluster.snapshot_writer import CONTEXT, SERVER, TAKEN_AT
    from fluxops.status.accessors import parse_time
    from fluxops.status.collect import cluster_status
    from fluxops.status.states import FAIL_ON, ClusterIssue, ClusterStatus, StatusResult

    if request.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {request.fail_on!r}: choose from {', '.join(FAIL_ON)}")
    if request.snapshot and (request.contexts or request.all_contexts):
        raise UsageError("--snapshot reads a file: it cannot be combined with --context")
    if request.contexts and request.all_contexts:
        raise UsageError("--context and --all-contexts cannot be used together")
    stale_after = timedelta(seconds=max(0.0, request.stale_after))

    if request.snapshot:
        from fluxops.cluster.snapshot import load_snapshot

        snap = load_snapshot(request.snapshot)
        now = request.now or parse_time(snap.annotations.get(TAKEN_AT)) or datetime.now(UTC)
        cs = cluster_status(
            snap,
            name=snap.annotations.get(CONTEXT) or request.snapshot,
            now=now,
            origin="snapshot",
            namespace=request.namespace,
            stale_after=stale_after,
        )
        cs.server = snap.annotations.get(SERVER) or cs.server
        return StatusResult([cs], generated_at=now, fail_on=request.fail_on)

    from fluxops.cluster.client import connect
    from fluxops.cluster.kubeconfig import context_names
    from fluxops.errors import ClusterError

    now = request.now or datetime.now(UTC)
    contexts: list[str | None] = list(request.contexts) or [None]
    if request.all_contexts:
        contexts = list(context_names(request.kubeconfig))

    def one(context: str | None) -> ClusterStatus:
        try:
            client = connect(request.kubeconfig, context, timeout=request.timeout)
        except ClusterError as exc:
            return ClusterStatus(
                name=context or "(current context)",
                error=ClusterIssue(exc.message, exc.hint, exc.code),
            )
        try:
            client.probe()
        except ClusterError as exc:
            client.close()
            return ClusterStatus(
                name=client.context,
                server=client.server,
                error=ClusterIssue(exc.message, exc.hint, exc.code),
            )
        with client:
            return cluster_status(
                client,
                name=client.context,
                now=now,
                namespace=request.namespace,
                stale_after=stale_after,
            )

    if len(contexts) == 1:
        clusters = [one(contexts[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(8, len(contexts))) as pool:
            clusters = list(pool.map(one, contexts))
    return StatusResult(clusters, generated_at=now, fail_on=request.fail_on)


@dataclass
class SnapshotRequest:
    """Write the Flux objects of one cluster, their Events and the objects in their
    inventories to `output` (a path; `-`: keep the text in the summary for stdout)."""

    output: str
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None
    inventory: bool = True
    events: bool = True
    timeout: float = 30.0
    format: str | None = None  # json | yaml; default from the file extension
    #: the end of each Flux controller's log (for `explain --snapshot`), `log_tail` lines
    logs: bool = True
    log_tail: int = 1000
    flux_namespace: str = "flux-system"


def snapshot(request: SnapshotRequest) -> SnapshotSummary:
    """Write a snapshot of a live cluster (Flux objects, their Events, their inventories),
    Secret data removed."""
    from fluxops import __version__
    from fluxops.cluster.client import connect
    from fluxops.cluster.snapshot_writer import (
        add_controller_logs,
        format_for,
        render,
        take_snapshot,
        write_snapshot,
    )

    if request.format not in (None, "json", "yaml"):
        raise UsageError(f"--format {request.format!r}: choose json or yaml")
    fmt = format_for(request.output, request.format)
    with connect(request.kubeconfig, request.context, timeout=request.timeout) as client:
        client.probe()
        doc, summary = take_snapshot(
            client,
            request.namespace,
            inventory=request.inventory,
            events=request.events,
            version=__version__,
        )
        if request.logs:
            add_controller_logs(doc, summary, client, request.flux_namespace, request.log_tail)
    summary.with_logs = request.logs
    summary.with_inventory = request.inventory
    summary.with_events = request.events
    if request.output == "-":
        summary.text = render(doc, fmt)
        summary.bytes = len(summary.text.encode())
    else:
        summary.bytes = write_snapshot(doc, request.output, fmt)
        summary.path = request.output
    return summary
