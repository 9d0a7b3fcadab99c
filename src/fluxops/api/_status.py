"""fluxops status and snapshot: the reconciliation state of every Flux object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.status.verb import SnapshotRequest, StatusRequest

if TYPE_CHECKING:
    from fluxops.cluster.snapshot_writer import SnapshotSummary
    from fluxops.status.states import StatusResult

__all__ = ["SnapshotRequest", "StatusRequest", "snapshot", "status"]


def status(request: StatusRequest) -> StatusResult:
    """Classify every Flux object of one or more clusters (or a snapshot), root causes first."""
    from fluxops.status.verb import run

    return run(request)


def snapshot(request: SnapshotRequest) -> SnapshotSummary:
    """Write a snapshot of a live cluster (Flux objects, their Events, their inventories),
    Secret data removed."""
    from fluxops.status.verb import snapshot as take

    return take(request)
