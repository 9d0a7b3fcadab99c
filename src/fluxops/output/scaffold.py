"""`fluxops init` results: the plan (or what was written) and the command to run next."""

from __future__ import annotations

from typing import Any

from fluxops.output.envelope import envelope, register_documents
from fluxops.output.escape import escape_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.scaffold.verb import InitResult


def to_data(result: InitResult) -> dict[str, Any]:
    """The envelope of docs/json.md: what was (or would be) created and kept."""
    summary = {
        "created": len(result.created),
        "kept": len(result.kept),
        "dryRun": result.dry_run,
    }
    data = {
        "root": result.root,
        "cluster": result.cluster,
        "env": result.env,
        "created": result.created,
        "kept": result.kept,
        "nextCommand": result.next_command,
    }
    return envelope(result, summary=summary, data=data)


@formatter("InitResult", "text")
def text_format(result: InitResult, view: View) -> Rendered:
    verb = "would create" if result.dry_run else "created"
    lines = [f"{verb} {escape_text(rel)}" for rel in result.created]
    lines += [f"kept     {escape_text(rel)} (exists; never overwritten)" for rel in result.kept]
    lines.append("")
    if result.dry_run:
        lines.append("dry run: nothing written; run again without --dry-run to write the files.")
    else:
        lines.append("next: check it, commit and push, then bootstrap the cluster:")
        lines.append(f"  fluxops lint {escape_text(result.root)}")
        lines.append(f"  fluxops build --all {escape_text(result.root)}")
    lines.append(f"  {escape_text(result.next_command)}")
    return Rendered("\n".join(lines) + "\n")


register_documents("InitResult", to_data)
