"""What `snapshot` wrote: the document itself when it goes to stdout, a summary for people."""

from __future__ import annotations

from fluxops.cluster.snapshot_writer import SnapshotSummary
from fluxops.output.registry import Rendered, View, formatter


@formatter("SnapshotResult", "text")
def text_format(summary: SnapshotSummary, view: View) -> Rendered:
    parts = [f"{summary.flux_objects} Flux objects"]
    if summary.with_inventory:
        missing = f" ({summary.inventory_missing} not found)" if summary.inventory_missing else ""
        parts.append(f"{summary.inventory_objects} inventory objects{missing}")
    if summary.with_events:
        parts.append(f"{summary.events} events")
    if summary.with_logs:
        parts.append(f"logs of {len(summary.controller_logs)} controllers")
    if summary.crds:
        parts.append(f"{summary.crds} CRDs")
    where = summary.path or "stdout"
    stripped = (
        f"; data of {summary.secrets_stripped} Secrets removed" if summary.secrets_stripped else ""
    )
    lines = [f"wrote {where}: {', '.join(parts)} ({summary.bytes:,} bytes){stripped}"]
    lines += [f"forbidden: {refusal.describe()} (left out)" for refusal in summary.refusals]
    lines += [f"note: {note}" for note in summary.notes]
    return Rendered(summary.text, "".join(line + "\n" for line in lines))
