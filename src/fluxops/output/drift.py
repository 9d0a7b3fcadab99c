"""Renderers for `fluxops drift`: text (a coloured unified diff per object on a terminal),
JSON (the stable schema documented in docs/drift.md) and Markdown (for a PR or an issue).

Values come from the result model, where Secret values are already masked."""

from __future__ import annotations

import difflib
import json
from typing import Any

from fluxops.drift.verdicts import VERDICTS, DriftResult, ObjectDrift
from fluxops.goyaml import dump
from fluxops.model.kube.scalars import ABSENT
from fluxops.output.envelope import camel, envelope
from fluxops.output.envelope import to_json as envelope_json
from fluxops.output.envelope import to_yaml as envelope_yaml
from fluxops.output.escape import escape_text, markdown_code, markdown_fence, markdown_text
from fluxops.output.registry import Rendered, View, formatter, text_console

_STYLE = {
    "in-sync": "green",
    "missing": "green",
    "drifted": "yellow",
    "orphaned": "red",
    "skipped": "dim",
    "error": "bold red",
}
_VERB = {"missing": "missing (Flux would create it)", "in-sync": "in sync"}


def _value(value: Any) -> Any:
    return None if value is ABSENT else value


def object_data(obj: ObjectDrift) -> dict[str, Any]:
    out: dict[str, Any] = {
        "apiVersion": obj.id.api_version,
        "kind": obj.id.kind,
        "namespace": obj.id.namespace,
        "name": obj.id.name,
        "owner": obj.owner,
        "verdict": obj.verdict,
        "reason": obj.reason,
        "prune": obj.prune,
        "differences": [],
        "notes": list(obj.notes),
    }
    for diff in obj.differences:
        entry: dict[str, Any] = {"path": diff.path, "pointer": diff.pointer, "op": diff.op}
        if diff.desired is not ABSENT:
            entry["desired"] = diff.desired
        if diff.live is not ABSENT:
            entry["live"] = diff.live
        entry["secret"] = diff.secret
        out["differences"].append(entry)
    if obj.secret_keys is not None:
        out["secretKeys"] = [{"key": k, "state": s} for k, s in obj.secret_keys]
    out["notCompared"] = [{"path": p, "reason": r} for p, r in obj.not_compared]
    return out


def to_data(result: DriftResult) -> dict[str, Any]:
    """The envelope behind -o json (docs/json.md, docs/drift.md)."""
    counts = result.counts()
    return envelope(
        result,
        summary={
            "objects": len(result.objects),
            **{camel(verdict): counts[verdict] for verdict in VERDICTS},
            "drift": result.drift,
        },
        data={
            "mode": result.mode,
            "source": result.source,
            "drift": result.drift,
            "owners": [
                {
                    "kind": o.kind,
                    "ref": o.ref,
                    "cluster": o.cluster,
                    "status": o.status,
                    "error": o.error,
                    "prune": o.prune,
                    "inventory": o.inventory,
                    "notes": list(o.notes),
                }
                for o in result.owners
            ],
            "objects": [object_data(o) for o in result.objects],
            "notes": list(result.notes),
            "requests": result.requests,
            "seconds": round(result.seconds, 3),
            "timings": dict(result.timings),
        },
    )


def to_json(result: DriftResult, *, compact: bool = False) -> str:
    return envelope_json(to_data(result), compact=compact)


# -- text -------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 80) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


_TOP_ORDER = {"apiVersion": 0, "kind": 1, "metadata": 2}


def _canonical(value: Any, top: bool = False) -> Any:
    """Keys sorted (apiVersion, kind, metadata first at the top), so the two sides line up."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_TOP_ORDER.get(k, 9) if top else 9, str(k)))
        return {k: _canonical(value[k]) for k in keys}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def unified_diff(obj: ObjectDrift) -> list[str]:
    """`--- live` / `+++ desired` lines of the masked renderings ('+' is what Flux would set)."""
    if obj.desired_view is None or obj.live_view is None:
        return []
    live = dump(_canonical(obj.live_view, top=True)).splitlines()
    desired = dump(_canonical(obj.desired_view, top=True)).splitlines()
    name = obj.id.short()
    return list(
        difflib.unified_diff(live, desired, f"{name} (live)", f"{name} (desired)", n=3, lineterm="")
    )


def headline(obj: ObjectDrift) -> str:
    verb = _VERB.get(obj.verdict, obj.verdict)
    text = f"► {obj.id.short()} {verb}"
    if obj.reason:
        text += f": {obj.reason}"
    return text


def _detail_lines(obj: ObjectDrift, diff: bool) -> list[tuple[str, str]]:
    """(style, text) lines under an object's headline."""
    out: list[tuple[str, str]] = []
    if obj.secret_keys and obj.verdict == "drifted":
        shown = ", ".join(f"{k} {s}" for k, s in obj.secret_keys)
        out.append(("", f"    keys (values hidden): {shown}"))
    lines = unified_diff(obj) if diff else []
    if lines:
        for line in lines:
            if line.startswith(("+++", "---")):
                out.append(("bold", f"    {line}"))
            elif line.startswith("@@"):
                out.append(("cyan", f"    {line}"))
            elif line.startswith("+"):
                out.append(("green", f"    {line}"))
            elif line.startswith("-"):
                out.append(("red", f"    {line}"))
            else:
                out.append(("", f"    {line}"))
    else:
        for d in obj.differences:
            if d.op == "changed":
                out.append(("", f"    {d.path}: {_short(d.live)} -> {_short(d.desired)}"))
            elif d.op == "missing":
                out.append(("", f"    {d.path}: not set live (desired {_short(d.desired)})"))
            else:
                out.append(("", f"    {d.path}: {_short(d.live)} (Flux removes it)"))
    out.extend(("yellow", f"    not compared: {p} ({r})") for p, r in obj.not_compared)
    out.extend(("dim", f"    note: {n}") for n in obj.notes)
    return out


def summary_line(result: DriftResult) -> str:
    counts = result.counts()
    parts = [f"{counts[v]} {_VERB.get(v, v)}" for v in VERDICTS if counts[v]]
    total = len(result.objects)
    text = f"{total} object{'s' if total != 1 else ''}"
    if parts:
        text += ": " + ", ".join(p.replace(" (Flux would create it)", "") for p in parts)
    return f"{text} ({result.mode} mode, {result.source})"


def print_text(
    result: DriftResult, console: Any, *, show_in_sync: bool = False, diff: bool = True
) -> None:
    """Objects that are not in sync (all with `show_in_sync`), then owners' problems and a
    summary. `console`: a `PlainConsole` (no colour) or a rich Console (colour)."""

    def line(value: str, style: str | None = None, *, wrap: bool = False) -> None:
        console.line(escape_text(value), style or "", wrap=wrap)

    several = len({o.owner for o in result.objects}) > 1
    current = None
    for obj in result.objects:
        if obj.verdict == "in-sync" and not show_in_sync and not obj.notes and not obj.not_compared:
            continue
        if several and obj.owner != current:
            current = obj.owner
            line(f"{obj.owner}:", "bold")
        line(headline(obj), _STYLE[obj.verdict])
        for style, detail in _detail_lines(obj, diff):
            line(detail, style)
    for owner in result.owners:
        if owner.status == "failed":
            line(f"✗ {owner.label}: {owner.error}", "bold red")
        elif owner.status == "skipped":
            line(f"⚠ {owner.label}: {'; '.join(owner.notes)}", "yellow", wrap=True)
    for note in result.notes:
        line(f"note: {note}", "dim")
    console.line(summary_line(result), "bold", wrap=False)


# -- markdown ---------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return markdown_text(text)


def to_markdown(result: DriftResult, *, limit: int = 60000) -> str:
    """A PR/issue comment: counts, a table of what is not in sync, a diff per drifted object
    (folded). Cut before `limit` characters (GitHub comments stop at 65,536)."""
    import html

    counts = result.counts()
    title = "no drift" if not result.drift and not result.errors else "drift found"
    if result.errors:
        title = "errors" + (" and drift" if result.drift else "")
    lines = [
        f"### fluxops drift: {title}",
        "",
        f"{result.mode} mode, {result.source}",
        "",
        "| " + " | ".join(VERDICTS) + " |",
        "|" + "---:|" * len(VERDICTS),
        "| " + " | ".join(str(counts[v]) for v in VERDICTS) + " |",
        "",
    ]
    rows = [o for o in result.objects if o.verdict != "in-sync"]
    if rows:
        lines += ["| Object | Owner | Verdict | Details |", "|---|---|---|---|"]
        for obj in rows:
            details = markdown_text(obj.reason) if obj.reason else ""
            details = details or ", ".join(markdown_code(d.path) for d in obj.differences[:6])
            if not details and obj.verdict == "missing":
                details = "Flux would create it"
            if len(obj.differences) > 6:
                details += f" (+{len(obj.differences) - 6})"
            lines.append(
                f"| {markdown_code(obj.id.short())} | {_md_escape(obj.owner)} | {obj.verdict} | "
                f"{details} |"
            )
        lines.append("")
    for owner in result.owners:
        if owner.status != "compared":
            text = owner.error or "; ".join(owner.notes)
            lines.append(f"- **{_md_escape(owner.label)}** {owner.status}: {_md_escape(text)}")
    partial = [o for o in result.objects if o.not_compared]
    if partial:
        lines += ["", "Not compared (values fluxops could not read):", ""]
        for obj in partial:
            for path, reason in obj.not_compared:
                lines.append(
                    f"- {markdown_code(obj.id.short())} {markdown_code(path)}: {_md_escape(reason)}"
                )
    body = "\n".join(lines) + "\n"
    for obj in result.objects:
        diff = unified_diff(obj)
        if not diff:
            continue
        name = html.escape(escape_text(obj.id.short()))
        block = (
            f"\n<details><summary><code>{name}</code> drifted</summary>\n\n"
            + markdown_fence("\n".join(diff), "diff")
            + "\n\n</details>\n"
        )
        if len(body) + len(block) > limit:
            body += "\n_(more diffs left out: the comment would be too long; use -o json)_\n"
            break
        body += block
    return body


@formatter("DriftResult", "text")
def text_format(result: DriftResult, view: View) -> Rendered:
    """Objects not in sync, owners' problems and a summary on stdout; warnings and errors of
    the render on stderr."""
    console = text_console(view)
    print_text(result, console, show_in_sync=view.show_in_sync, diff=view.diff)
    notes = "".join(
        f"{finding.severity}: {escape_text(finding.message)}\n"
        for finding in result.findings
        if str(finding.severity) in ("warning", "error")
    )
    return Rendered(console.getvalue(), notes)


@formatter("DriftResult", "json")
def json_format(result: DriftResult, view: View) -> Rendered:
    return Rendered(to_json(result, compact=view.compact))


@formatter("DriftResult", "yaml")
def yaml_format(result: DriftResult, view: View) -> Rendered:
    return Rendered(envelope_yaml(to_data(result), compact=view.compact))


@formatter("DriftResult", "markdown")
def markdown_format(result: DriftResult, view: View) -> Rendered:
    return Rendered(to_markdown(result))
