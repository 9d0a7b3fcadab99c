"""What `snapshot` wrote: the document itself when it goes to stdout, a summary for people."""

from __future__ import annotations

from typing import Any

from fluxops.cluster.snapshot_writer import SnapshotSummary
from fluxops.output.envelope import envelope, to_json, to_yaml
from fluxops.output.registry import Rendered, View, formatter


def _lines(summary: SnapshotSummary) -> list[str]:
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
    return lines


def to_data(summary: SnapshotSummary) -> dict[str, Any]:
    """The envelope of what `snapshot --file PATH -o json|yaml` wrote (docs/json.md)."""
    return envelope(
        summary,
        summary={
            "fluxObjects": summary.flux_objects,
            "events": summary.events,
            "inventoryObjects": summary.inventory_objects,
            "inventoryMissing": summary.inventory_missing,
            "secretsStripped": summary.secrets_stripped,
            "forbidden": len(summary.refusals),
        },
        data={
            "file": summary.path or None,
            "bytes": summary.bytes,
            "inventory": summary.with_inventory,
            "events": summary.with_events,
            "forbidden": [refusal.describe() for refusal in summary.refusals],
            "notes": list(summary.notes),
        },
    )


@formatter("SnapshotResult", "json")
def json_format(summary: SnapshotSummary, view: View) -> Rendered:
    """The envelope on stdout (the snapshot went to a file); the summary line on stderr."""
    text = "".join(line + "\n" for line in _lines(summary))
    return Rendered(to_json(to_data(summary), compact=view.compact), text)


@formatter("SnapshotResult", "yaml")
def yaml_format(summary: SnapshotSummary, view: View) -> Rendered:
    text = "".join(line + "\n" for line in _lines(summary))
    return Rendered(to_yaml(to_data(summary), compact=view.compact), text)


@formatter("SnapshotResult", "text")
def text_format(summary: SnapshotSummary, view: View) -> Rendered:
    """The snapshot itself on stdout (when it was not written to a file), the summary on
    stderr."""
    return Rendered(summary.text, "".join(line + "\n" for line in _lines(summary)))
