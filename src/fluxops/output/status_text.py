"""Text renderers of `fluxops status`: the table (root causes first, each with what it blocks
under it, then the other objects by state, every object once), the root-cause details (hint,
commands, warning events) and the dependency tree (`--tree`).

Plain text with optional ANSI colours: thousands of rows render in milliseconds.
"""

from __future__ import annotations

from datetime import datetime

from fluxops.model.durations import format_age
from fluxops.output.escape import escape_text
from fluxops.status.accessors import parse_time, short_revision
from fluxops.status.states import (
    STATE_ORDER,
    ClusterStatus,
    ObjectStatus,
    RootCause,
    State,
    StatusResult,
)

_RED, _YELLOW, _GREEN, _MAGENTA, _CYAN = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[35m", "\x1b[36m"
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"
_STATE_COLOUR = {
    State.STALLED: _RED,
    State.FAILED: _RED,
    State.UNKNOWN: _YELLOW,
    State.PROGRESSING: _YELLOW,
    State.SUSPENDED: _MAGENTA,
    State.READY: _GREEN,
}


# -- text helpers -------------------------------------------------------------------------------


def age(since: str | None, now: datetime) -> str:
    when = parse_time(since)
    return format_age((now - when).total_seconds()) if when else "-"


def _one_line(text: str) -> str:
    return escape_text(" ".join(text.split()))


def _fit(text: str, width: int) -> str:
    text = escape_text(text)
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class _Paint:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        text = escape_text(text)
        return f"{code}{text}{_RESET}" if self.colour and text else text

    def state(self, state: State | str) -> str:
        code = _STATE_COLOUR.get(state, _RED) if isinstance(state, State) else _RED
        return self(str(state), code)


def _summary_line(c: ClusterStatus) -> str:
    counts = c.counts()
    parts = [f"{n} {str(s).lower()}" for s, n in counts.items() if n]
    total = sum(counts.values())
    scope = f", namespace {c.namespace}" if c.namespace else ""
    what = "snapshot" if c.origin == "snapshot" else "cluster"
    head = f"{what} {c.name}" + (f"  {c.server}" if c.server and c.server != c.name else "")
    return escape_text(f"{head}  ({total} Flux objects{scope}: {', '.join(parts) or 'none'})")


def _revision(o: ObjectStatus) -> str:
    rev = short_revision(o.revision) or "-"
    if o.behind_source and o.source_revision:
        rev += f" → {short_revision(o.source_revision)}"
    return rev


def _message(o: ObjectStatus) -> str:
    text = o.message
    if (
        o.reason
        and o.reason not in ("ReconciliationSucceeded", "Succeeded")
        and o.state != State.READY
    ):
        text = f"{o.reason}: {text}" if text else o.reason
    if o.stale and o.state == State.PROGRESSING and o.reason != "StaleGeneration":
        text = "(stuck) " + text
    return _one_line(text)


# -- the table ----------------------------------------------------------------------------------


def _rows_for_cluster(
    c: ClusterStatus, problems_only: bool
) -> list[tuple[str, ObjectStatus | RootCause, int]]:
    """(kind of row, subject, depth): roots with their blocked objects under them, then the
    other objects in state order. Every object appears once."""
    by_id = c.by_id()
    waiting: dict[str, list[str]] = {}
    for o in c.objects:
        for up in o.waiting_for:
            waiting.setdefault(up, []).append(o.id)
    rows: list[tuple[str, ObjectStatus | RootCause, int]] = []
    printed: set[str] = set()

    def children(node_id: str) -> list[str]:
        return sorted(waiting.get(node_id, []), key=lambda i: _order(by_id.get(i)))

    def under(node_id: str, depth: int) -> None:
        # iterative pre-order walk: blocking chains can be thousands deep
        stack = [(kid, depth) for kid in reversed(children(node_id))]
        while stack:
            kid, level = stack.pop()
            if kid in printed or kid not in by_id:
                continue
            printed.add(kid)
            rows.append(("blocked", by_id[kid], level))
            stack.extend((grandkid, level + 1) for grandkid in reversed(children(kid)))

    for rc in c.root_causes:
        if rc.type == "object":
            if rc.id in printed:
                continue
            printed.add(rc.id)
            rows.append(("root", by_id[rc.id], 0))
            under(rc.id, 1)
        else:
            rows.append((rc.type, rc, 0))
            for member in rc.members:
                if member in by_id and member not in printed:
                    printed.add(member)
                    rows.append(("blocked", by_id[member], 1))
            under(rc.id, 1)
            for member in rc.members:
                under(member, 1)
        for blocked in rc.blocks:  # anything the waiting edges did not reach
            if blocked in by_id and blocked not in printed:
                printed.add(blocked)
                rows.append(("blocked", by_id[blocked], 1))
    for o in c.objects:
        if o.id in printed or (problems_only and o.state == State.READY):
            continue
        printed.add(o.id)
        rows.append(("object", o, 0))
    return rows


def _order(o: ObjectStatus | None) -> tuple[int, str]:
    if o is None:
        return (99, "")
    return (STATE_ORDER.index(o.state), o.id)


def render_table(
    result: StatusResult,
    *,
    width: int = 160,
    colour: bool = False,
    problems_only: bool = False,
    details: bool = True,
) -> str:
    paint = _Paint(colour)
    now = result.generated_at
    out: list[str] = []
    for c in result.clusters:
        if out:
            out.append("")
        out.append(paint(_summary_line(c), _BOLD))
        if c.error is not None:
            out.append(paint(f"error: {c.error.message}", _RED))
            if c.error.hint:
                out.append(f"  hint: {escape_text(c.error.hint)}")
            continue
        for f in c.forbidden:
            where = f"in namespace {f.namespace}" if f.namespace else "cluster-wide"
            out.append(paint(f"forbidden: may not {f.verb} {f.resource} {where}", _YELLOW))
        for note in c.notes:
            out.append(paint(f"note: {note}", _DIM))
        rows = _rows_for_cluster(c, problems_only)
        if not c.objects:
            out.append(
                "no Flux objects found" + (f" in namespace {c.namespace}" if c.namespace else "")
            )
        if rows:
            out.extend(_table_lines(rows, now, width, paint))
        if details:
            out.extend(_details(c, now, width, paint))
    return "\n".join(out) + "\n"


def _table_lines(
    rows: list[tuple[str, ObjectStatus | RootCause, int]],
    now: datetime,
    width: int,
    paint: _Paint,
) -> list[str]:
    cells: list[tuple[str, str, str, str, str, State | str]] = []
    for kind, subject, depth in rows:
        indent = "  " * depth + ("└ " if depth else "")
        if isinstance(subject, ObjectStatus):
            o = subject
            cells.append(
                (str(o.state), indent + o.id, _revision(o), age(o.since, now), _message(o), o.state)
            )
        elif kind == "cycle":
            text = "waiting for each other: " + " -> ".join([*subject.members, subject.members[0]])
            cells.append(("Cycle", "(dependency cycle)", "-", "-", text, "Cycle"))
        else:
            label = "Missing" if kind == "missing" else "Forbidden"
            why = "does not exist" if kind == "missing" else "you may not read it"
            n = len(subject.blocks)
            text = f"referenced by {n} object{'s' if n != 1 else ''}, but {why}"
            cells.append((label, subject.id, "-", "-", text, label))
    header = ("STATUS", "OBJECT", "REVISION", "AGE", "MESSAGE")
    w_state = max(len(header[0]), *(len(c[0]) for c in cells))
    w_obj = min(70, max(len(header[1]), *(len(c[1]) for c in cells)))
    w_rev = min(40, max(len(header[2]), *(len(c[2]) for c in cells)))
    w_age = max(len(header[3]), *(len(c[3]) for c in cells))
    w_msg = max(20, width - (w_state + w_obj + w_rev + w_age + 8))
    lines = [
        paint(
            f"{header[0]:<{w_state}}  {header[1]:<{w_obj}}  {header[2]:<{w_rev}}  "
            f"{header[3]:>{w_age}}  {header[4]}",
            _DIM,
        )
    ]
    for state_text, obj, rev, age_text, msg, state in cells:
        lines.append(
            f"{paint.state(state) if isinstance(state, State) else paint(state_text, _RED)}"
            f"{' ' * (w_state - len(state_text))}  {_fit(obj, w_obj):<{w_obj}}  "
            f"{_fit(rev, w_rev):<{w_rev}}  {age_text:>{w_age}}  {_fit(msg, w_msg)}".rstrip()
        )
    return lines


def _details(c: ClusterStatus, now: datetime, width: int, paint: _Paint) -> list[str]:
    by_id = c.by_id()
    out: list[str] = []
    roots = c.root_causes
    if roots:
        out.append("")
        out.append(paint(f"Root cause{'s' if len(roots) > 1 else ''} ({len(roots)}):", _BOLD))
    for i, rc in enumerate(roots, 1):
        obj = by_id.get(rc.id)
        rc_id = escape_text(rc.id)
        if rc.type == "cycle":
            title = escape_text("dependency cycle: " + " -> ".join([*rc.members, rc.members[0]]))
        elif obj is not None:
            reason = escape_text(f" {obj.reason}") if obj.reason else ""
            title = f"{rc_id}  {paint.state(obj.state)}{reason}"
        else:
            title = f"{rc_id}  " + paint("not found" if rc.type == "missing" else "forbidden", _RED)
        out.append(f"{i:>2}. {title}")
        pad = "    "
        if obj is not None and obj.message:
            out.append(pad + _fit(_one_line(obj.message), width - len(pad)))
        if obj is not None:
            for note in obj.notes:
                out.append(pad + paint(_fit(_one_line(note), width - len(pad)), _DIM))
        impact = []
        if rc.blocks:
            impact.append(
                f"blocks {len(rc.blocks)}: "
                + ", ".join(rc.blocks[:4])
                + (" ..." if len(rc.blocks) > 4 else "")
            )
        if rc.affects:
            n = len(rc.affects)
            impact.append(
                f"{n} ready consumer{'s' if n > 1 else ''} get{'' if n > 1 else 's'} no updates until it recovers"
            )
        for line in impact:
            out.append(pad + _fit(line, width - len(pad)))
        if rc.hint is not None:
            out.append(pad + paint("hint: ", _CYAN) + escape_text(rc.hint.text))
            for command in rc.hint.commands:
                out.append(pad + "  $ " + escape_text(command))
        if obj is not None and obj.events:
            out.append(pad + "warning events:")
            for ev in obj.events[:3]:
                count = f" (x{ev.count})" if ev.count > 1 else ""
                text = f"{age(ev.last_seen, now)} ago{count}  {ev.reason}: {_one_line(ev.message)}"
                out.append(pad + "  " + _fit(text, width - len(pad) - 2))
    other_cycles = [
        cy
        for cy in c.cycles
        if not any(rc.type == "cycle" and set(rc.members) == set(cy) for rc in roots)
    ]
    for cycle in other_cycles:
        out.append(paint("dependency cycle: " + " -> ".join([*cycle, cycle[0]]), _YELLOW))
    return out


# -- the tree -----------------------------------------------------------------------------------


def render_tree(result: StatusResult, *, width: int = 160, colour: bool = False) -> str:
    """The whole dependency graph, sources at the top, consumers under what they use."""
    paint = _Paint(colour)
    out: list[str] = []
    for c in result.clusters:
        if out:
            out.append("")
        out.append(paint(_summary_line(c), _BOLD))
        if c.error is not None:
            out.append(paint(f"error: {c.error.message}", _RED))
            continue
        out.extend(_tree_lines(c, paint))
        for cycle in c.cycles:
            out.append(paint("dependency cycle: " + " -> ".join([*cycle, cycle[0]]), _YELLOW))
    return "\n".join(out) + "\n"


def _tree_lines(c: ClusterStatus, paint: _Paint) -> list[str]:
    by_id = c.by_id()
    consumers: dict[str, list[tuple[str, str]]] = {}
    for o in c.objects:
        for e in o.upstream:
            consumers.setdefault(e.target, []).append((o.id, e.via))
    ordered = sorted(c.objects, key=lambda o: o.id)
    tops = [o.id for o in ordered if not o.upstream]
    missing = sorted({e.target for o in c.objects for e in o.upstream if e.target not in by_id})
    seen: set[str] = set()
    lines: list[str] = []

    def label(node_id: str, via: str) -> str:
        o = by_id.get(node_id)
        shown = escape_text(node_id)
        if o is None:
            return f"{shown}  " + paint("not found", _RED)
        extra = escape_text(f"  {short_revision(o.revision)}") if o.revision else ""
        via_text = paint(f" ({via})", _DIM) if via else ""
        reason = escape_text(f" {o.reason}") if o.reason and o.state != State.READY else ""
        return f"{shown}{via_text}  {paint.state(o.state)}{reason}{extra}"

    def walk(start: str) -> None:
        # iterative depth-first walk: dependsOn chains can be thousands deep
        stack: list[tuple[str, str, str, bool, bool]] = [(start, "", "", True, True)]
        while stack:
            node_id, via, prefix, last, top = stack.pop()
            branch = "" if top else ("└── " if last else "├── ")
            repeat = node_id in seen
            more = paint("  (see above)", _DIM) if repeat and consumers.get(node_id) else ""
            lines.append(prefix + branch + label(node_id, via) + more)
            if repeat:
                continue
            seen.add(node_id)
            kids = sorted(consumers.get(node_id, []))
            child_prefix = prefix + ("" if top else ("    " if last else "│   "))
            for i in range(len(kids) - 1, -1, -1):
                kid, kid_via = kids[i]
                stack.append((kid, kid_via, child_prefix, i == len(kids) - 1, False))

    for node_id in missing + tops:
        walk(node_id)
    for o in ordered:  # only reachable through a cycle
        if o.id not in seen:
            walk(o.id)
    return lines
