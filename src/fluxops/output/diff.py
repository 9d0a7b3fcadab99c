"""`diff` results: text (coloured on a terminal), JSON, and Markdown for a pull-request
comment (a summary table, then the details folded per Kustomization, always under GitHub's
65,536-character comment limit, with a note of what was cut)."""

from __future__ import annotations

import html
from typing import Any

from fluxops.changes.result import Change, DiffResult, KustomizationDiff, ObjectChange
from fluxops.model.findings import Severity
from fluxops.output.envelope import envelope, register_documents
from fluxops.output.escape import escape_text, markdown_code, markdown_fence, markdown_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.output.text import finding_line

#: GitHub refuses a comment body longer than this.
MARKDOWN_LIMIT = 65_536
#: Room kept for the note saying what was cut.
_NOTE_ROOM = 600
#: One object's unified diff in Markdown is cut beyond this.
MAX_OBJECT_DIFF = 12_000

_CHANGES: tuple[Change, ...] = ("added", "removed", "changed", "moved")
_SIGN = {"added": "+", "removed": "-", "changed": "~", "moved": ">"}
_COLOUR = {"added": "32", "removed": "31", "changed": "33", "moved": "36"}


# -- data ---------------------------------------------------------------------------------------


def _object_data(obj: ObjectChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "change": obj.change,
        "apiVersion": obj.api_version,
        "kind": obj.kind,
        "namespace": obj.namespace,
        "name": obj.name,
        "category": obj.category,
        "secret": obj.secret,
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in obj.fields],
        "diff": obj.diff,
    }
    if obj.moved_from is not None:
        out["movedFrom"] = obj.moved_from
    if obj.pruned is not None:
        out["pruned"] = obj.pruned
    if obj.values or obj.values_errors:
        out["values"] = [
            {
                "section": v.section,
                "path": v.path,
                "before": v.before,
                "after": v.after,
                "secret": v.secret,
            }
            for v in obj.values
        ]
        out["valuesErrors"] = list(obj.values_errors)
    return out


def _ks_data(ks: KustomizationDiff) -> dict[str, Any]:
    return {
        "cluster": ks.cluster,
        "namespace": ks.namespace,
        "name": ks.name,
        "status": ks.status,
        "path": ks.path,
        "prune": ks.prune,
        "errorBase": ks.error_base,
        "errorHead": ks.error_head,
        "counts": {c: ks.count(c) for c in _CHANGES},
        "objects": [_object_data(o) for o in ks.objects],
    }


def _side(side: Any) -> dict[str, Any]:
    return {
        "ref": side.ref,
        "commit": side.commit,
        "rendered": side.rendered,
        "cached": side.cached,
        "failed": side.failed,
    }


def to_data(result: DiffResult) -> dict[str, Any]:
    """The envelope of docs/json.md: the counts in `summary`, the diff under
    `kustomizations`."""
    summary = {
        "kustomizations": len(result.kustomizations),
        **result.totals(),
        "changedFiles": len(result.changed_files),
        "newFailures": len(result.new_failures),
    }
    data = {
        "base": _side(result.base),
        "head": _side(result.head),
        "changedOnly": result.changed_only,
        "changedFiles": list(result.changed_files),
        "kustomizations": [_ks_data(k) for k in result.kustomizations],
    }
    return envelope(result, summary=summary, data=data)


# -- text ---------------------------------------------------------------------------------------


def _paint(text: str, code: str, view: View) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if view.colour else text


def _headline(result: DiffResult) -> str:
    t = result.totals()
    return (
        f"{len(result.kustomizations)} Kustomizations differ: {t['added']} objects added, "
        f"{t['removed']} removed, {t['changed']} changed, {t['moved']} moved "
        f"({len(result.changed_files)} files changed; "
        f"rendered {result.base.rendered} + {result.head.rendered}"
        f"{', changed only' if result.changed_only else ''})"
    )


def _prune_note(obj: ObjectChange) -> str:
    if obj.pruned is None:
        return ""
    return " (pruned: Flux deletes it)" if obj.pruned else " (prune off: left in the cluster)"


def _object_text(obj: ObjectChange, view: View, lines: list[str]) -> None:
    sign = _SIGN[obj.change]
    where = f" from {obj.moved_from}" if obj.moved_from else ""
    head = f"  {sign} {escape_text(obj.ref)}{escape_text(where)}{_prune_note(obj)}"
    lines.append(_paint(head, _COLOUR[obj.change], view))
    if obj.secret and obj.fields:
        lines.append(
            "      Secret: "
            + ", ".join(escape_text(f.path) for f in obj.fields)
            + " changed (values not shown)"
        )
    for value in obj.values:
        shown = (
            "(secret, differs)"
            if value.secret
            else (f"{escape_text(value.before)} -> {escape_text(value.after)}")
        )
        lines.append(f"      {value.section} {escape_text(value.path)}: {shown}")
    for error in obj.values_errors:
        lines.append(f"      values: {escape_text(error)}")
    if view.diff and obj.diff:
        for line in obj.diff.splitlines()[2:]:
            code = (
                "32"
                if line.startswith("+")
                else "31"
                if line.startswith("-")
                else "36"
                if (line.startswith("@@"))
                else ""
            )
            text = "      " + escape_text(line)
            lines.append(_paint(text, code, view) if code else text)


@formatter("DiffResult", "text")
def text_format(result: DiffResult, view: View) -> Rendered:
    lines: list[str] = []
    cluster = None
    for ks in result.kustomizations:
        if ks.cluster != cluster:
            cluster = ks.cluster
            lines.append(_paint(f"cluster {escape_text(cluster or '(none)')}", "1", view))
        prune = "prune on" if ks.prune else "prune off"
        lines.append(
            _paint(f"Kustomization {escape_text(ks.ref)}: {ks.status} ({prune})", "1", view)
        )
        for side, error in (("base", ks.error_base), ("head", ks.error_head)):
            if error:
                lines.append(f"  ! fails on {side}: {escape_text(error, indent='    ')}")
        for obj in ks.objects:
            _object_text(obj, view, lines)
    if not result.kustomizations:
        lines.append("No differences.")
    stderr = [
        finding_line(f) for f in result.findings if view.verbose or f.severity >= Severity.WARNING
    ]
    stderr.append(_headline(result))
    return Rendered("\n".join(lines) + "\n", "\n".join(stderr) + "\n")


# -- markdown -----------------------------------------------------------------------------------


def _summary_table(result: DiffResult) -> str:
    rows = [
        "| Cluster | Kustomization | Status | Added | Removed | Changed | Moved | Prune |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for ks in result.kustomizations:
        rows.append(
            f"| {markdown_code(ks.cluster or '-')} | {markdown_code(ks.ref)} | {ks.status} | "
            f"{ks.count('added')} | {ks.count('removed')} | {ks.count('changed')} | "
            f"{ks.count('moved')} | {'on' if ks.prune else 'off'} |"
        )
    return "\n".join(rows)


def _object_markdown(obj: ObjectChange) -> str:
    where = f" from {markdown_code(obj.moved_from, table=False)}" if obj.moved_from else ""
    parts = [f"- **{obj.change}** {markdown_code(obj.ref, table=False)}{where}{_prune_note(obj)}"]
    if obj.secret and obj.fields:
        keys = ", ".join(markdown_code(f.path, table=False) for f in obj.fields)
        parts.append(f"  Secret: {keys} changed (values not shown)")
    if obj.values:
        parts.append("")
        parts.append("  | section | path | before | after |")
        parts.append("  |---|---|---|---|")
        for v in obj.values:
            before = "(secret)" if v.secret else markdown_code(v.before or "-")
            after = "(secret, differs)" if v.secret else markdown_code(v.after or "-")
            parts.append(f"  | {v.section} | {markdown_code(v.path)} | {before} | {after} |")
    for error in obj.values_errors:
        parts.append(f"  values: {markdown_text(error)}")
    if obj.diff:
        body = obj.diff
        if len(body) > MAX_OBJECT_DIFF:
            body = (
                body[:MAX_OBJECT_DIFF]
                + f"\n... (cut: {len(obj.diff) - MAX_OBJECT_DIFF} more characters)"
            )
        parts.append("")
        parts.append(markdown_fence(body.rstrip("\n"), "diff"))
    return "\n".join(parts)


def _ks_markdown(ks: KustomizationDiff, room: int) -> tuple[str, int]:
    """The folded section of one Kustomization in at most `room` characters: as many of its
    objects as fit, in order, then a line saying how many were cut. ("", n) when not even the
    heading fits; the second item is the number of objects left out."""
    counts = ", ".join(f"{ks.count(c)} {c}" for c in _CHANGES if ks.count(c))
    # Raw HTML: Markdown is not read inside <summary>, so the names are HTML-escaped.
    title = (
        f"{html.escape(escape_text(ks.cluster))}: Kustomization "
        f"<code>{html.escape(escape_text(ks.ref))}</code> {ks.status}"
    )
    head = [f"<details><summary>{title}{': ' + counts if counts else ''}</summary>", ""]
    for side, error in (("base", ks.error_base), ("head", ks.error_head)):
        if error:
            head.append(f"Fails on {side}:")
            head.append(markdown_fence(error[:MAX_OBJECT_DIFF]))
    text = "\n".join(head) + "\n"
    tail = "</details>\n\n"
    note_room = 120
    if len(text) + len(tail) + note_room > room:
        return "", len(ks.objects)
    for i, obj in enumerate(ks.objects):
        part = _object_markdown(obj) + "\n\n"
        if len(text) + len(part) + len(tail) + note_room > room:
            left = len(ks.objects) - i
            text += f"*{left} more objects of this Kustomization are not shown (cut to fit).*\n\n"
            return text + tail, left
        text += part
    return text + tail, 0


@formatter("DiffResult", "markdown")
def markdown_format(result: DiffResult, view: View) -> Rendered:
    t = result.totals()
    head = [
        "### fluxops diff",
        "",
        f"{markdown_code(result.base.ref, table=False)} ({result.base.commit[:12]}) → "
        f"{markdown_code(result.head.ref, table=False)}"
        + (f" ({result.head.commit[:12]})" if result.head.commit else "")
        + f": {len(result.changed_files)} files changed, {len(result.kustomizations)} "
        f"Kustomizations differ ({t['added']} objects added, {t['removed']} removed, "
        f"{t['changed']} changed, {t['moved']} moved).",
        "",
    ]
    if not result.kustomizations:
        head.append("No differences in the rendered objects.")
        return Rendered("\n".join(head) + "\n")
    failures = result.new_failures
    if failures:
        head.append(
            f"**{len(failures)} Kustomizations fail to render at the head** (they rendered at "
            "the base): see below."
        )
        head.append("")
    table = _summary_table(result)
    text = "\n".join(head) + "\n"
    budget = MARKDOWN_LIMIT - _NOTE_ROOM
    if len(text) + len(table) > budget:
        lines = table.split("\n")
        kept = lines[:2]
        size = len(text) + 2
        for line in lines[2:]:
            if size + len(line) + 1 > budget:
                break
            kept.append(line)
            size += len(line) + 1
        table = "\n".join(kept)
        rows_cut = len(lines) - len(kept)
    else:
        rows_cut = 0
    out = text + table + "\n\n"
    cut_objects = 0
    cut_sections = 0
    for ks in result.kustomizations:
        section, left = _ks_markdown(ks, budget - len(out))
        out += section
        cut_objects += left
        cut_sections += 0 if section else 1
    if cut_objects or rows_cut:
        note = (
            f"> **Cut to fit a comment ({MARKDOWN_LIMIT:,} characters):** {cut_objects} of "
            f"{sum(len(k.objects) for k in result.kustomizations)} changed objects"
        )
        if cut_sections:
            note += f" ({cut_sections} Kustomizations entirely)"
        if rows_cut:
            note += f" and {rows_cut} rows of the summary table"
        note += " are not shown. Run `fluxops diff` locally, or `-o json`, for everything.\n"
        out += note
    return Rendered(out)


register_documents("DiffResult", to_data)
