"""`fluxops explain`: a report for people (text) and the envelope of docs/json.md (JSON/YAML,
kind `ExplainResult`, described in docs/explain.md). Every string from the cluster goes
through `escape_text` in the text view."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fluxops.output.envelope import camel_keys, envelope, register_documents
from fluxops.output.escape import escape_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.status.explain_model import ExplainResult

#: fields the envelope carries as its finding (why it could not look), not as data
_ERROR_FIELDS = frozenset({"error", "error_hint", "error_code"})


def to_data(result: ExplainResult) -> dict[str, Any]:
    """The envelope: counts in `summary`, the object's identity and state, then what explains
    it; an error (it could not look) is its one finding."""
    summary = {
        "found": result.found,
        "ready": result.ready,
        "state": result.state,
        "blockedBy": len(result.blocked_by),
        "conditions": len(result.conditions),
        "events": len(result.events),
        "unhealthy": len(result.inventory.unhealthy) if result.inventory else 0,
    }
    fields = {k: v for k, v in asdict(result).items() if k not in _ERROR_FIELDS}
    data = camel_keys(fields)
    # the envelope's own `apiVersion` is fluxops.io/v1: the object's is `targetApiVersion`
    data["targetApiVersion"] = data.pop("apiVersion")
    return envelope(result, summary=summary, data=data)


def _error_lines(result: ExplainResult) -> str:
    if not result.error:
        return ""
    hint = f"\n  hint: {escape_text(result.error_hint)}" if result.error_hint else ""
    return f"error: {escape_text(result.error)}{hint}\n"


def _when(age: str | None) -> str:
    return f" ({age} ago)" if age else ""


@formatter("ExplainResult", "text")
def text_format(result: ExplainResult, view: View) -> Rendered:
    if result.error:
        return Rendered("", _error_lines(result))
    e = escape_text
    out: list[str] = []
    add = out.append
    state = result.state + (" (suspended)" if result.suspended else "")
    add(f"{e(result.target)}: {state}" + (f" {e(result.reason)}" if result.reason else ""))
    if result.message:
        add(f"  {e(result.message)}")
    where = f"{result.origin} {result.cluster}".strip()
    add(
        f"  cluster: {e(where)}, apiVersion {e(result.api_version)}"
        + (f", revision {e(result.revision)}" if result.revision else "")
    )
    if result.chain:
        add("")
        add("Blocking chain (root cause first):" if result.blocked_by else "Upstream:")
        for link in result.chain:
            mark = "root cause " if link.root_cause else ""
            reason = f" {e(link.reason)}" if link.reason else ""
            add(f"  {mark}{e(link.id)} [{e(link.via)}]: {e(link.state)}{reason}")
            if link.message and (link.root_cause or link.state != "Ready"):
                add(f"    {e(link.message)}")
        if result.root_cause:
            add(f"  {e(result.target)} itself is the root cause")
    if result.conditions:
        add("")
        add("Conditions:")
        for c in result.conditions:
            reason = f" {e(c.reason)}" if c.reason else ""
            add(f"  {e(c.type)}={e(c.status)}{reason}{_when(c.age)}")
            if c.message:
                add(f"    {e(c.message)}")
    if result.events:
        add("")
        add("Events (newest first):")
        for ev in result.events:
            times = f" x{ev.count}" if ev.count > 1 else ""
            add(f"  {e(ev.type)} {e(ev.reason)}{times}{_when(ev.age)}: {e(ev.message)}")
    _logs(result, add)
    if result.inventory is not None:
        inv = result.inventory
        add("")
        add(f"Inventory: {inv.total} objects, {len(inv.unhealthy)} not healthy")
        for u in inv.unhealthy:
            add(f"  {e(u.id)}: {e(u.status)}" + (f": {e(u.message)}" if u.message else ""))
    if result.history is not None:
        add("")
        add("Helm history (newest first):")
        for h in result.history or []:
            tests = f", tests {e(h.test_status)}" if h.test_status else ""
            add(
                f"  v{h.version} {e(h.status)} {e(h.chart)}@{e(h.chart_version)}"
                f" (app {e(h.app_version)}) deployed {e(h.last_deployed or '-')}{tests}"
            )
        if not result.history:
            add("  (none: never installed)")
    if result.hint:
        add("")
        add(f"Hint: {e(result.hint)}")
    if result.next_commands:
        add("")
        add("Next:")
        out.extend(f"  {e(c)}" for c in result.next_commands)
    notes = "".join(f"note: {e(n)}\n" for n in result.notes)
    return Rendered("\n".join(out) + "\n", notes)


def _logs(result: ExplainResult, add: Any) -> None:
    logs = result.logs
    e = escape_text
    if logs.source == "off":
        return
    add("")
    if not logs.read:
        add("Controller logs: not read")
    elif not logs.lines:
        add(f"Controller logs: no lines about this object ({', '.join(logs.controllers)})")
    else:
        omitted = f", {logs.omitted} older lines left out" if logs.omitted else ""
        add(f"Controller logs (as `flux logs --kind --name -n`{omitted}):")
        for line in logs.lines:
            add(f"  {e(line.controller)}: {e(line.text)}")
    for note in logs.notes:
        add(f"  note: {e(note)}")


register_documents("ExplainResult", to_data, _error_lines)
