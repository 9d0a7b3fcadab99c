"""From raw Flux objects and Events to classified objects, root causes and cycles.

    result = analyze(objects, events, now=datetime.now(UTC))

Pure: no I/O. `fluxops.status.collect` reads the objects and builds the `ClusterStatus`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fluxops.model.flux import KIND_ORDER
from fluxops.model.graph import find_cycles
from fluxops.status import accessors as f
from fluxops.status import graph, hints
from fluxops.status.classify import DEFAULT_STALE_AFTER, classify
from fluxops.status.states import (
    STATE_ORDER,
    Edge,
    ObjectStatus,
    RootCause,
    State,
    object_id,
)

KIND_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}
SOURCE_VIAS = ("sourceRef", "chart", "chartRef", "chart.spec.sourceRef")
MAX_EVENTS = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Analysis:
    objects: list[ObjectStatus] = field(default_factory=list)
    root_causes: list[RootCause] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)


def sort_key(o: ObjectStatus) -> tuple[int, int, str, str, str]:
    return (STATE_ORDER.index(o.state), KIND_RANK.get(o.kind, 99), o.kind, o.namespace, o.name)


def _raw_id(obj: dict[str, Any]) -> str:
    meta = f.meta(obj)
    return object_id(f.s(obj.get("kind")), f.s(meta.get("namespace")), f.s(meta.get("name")))


def analyze(
    objects: Iterable[dict[str, Any]],
    events: Iterable[dict[str, Any]] = (),
    *,
    now: datetime,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    forbidden: Iterable[str] = (),
    max_events: int = MAX_EVENTS,
    classified: dict[int, ObjectStatus] | None = None,
) -> Analysis:
    """Classify every object, attach events, hints and the blocking graph.

    `forbidden`: ids of referenced objects the user may not read (shown as such, not as
    missing). `classified`: classifications already made (by `id()` of the raw object), for
    callers that classify while reading."""
    raw: dict[str, dict[str, Any]] = {}
    for obj in objects:
        raw.setdefault(_raw_id(obj), obj)
    done = classified or {}
    statuses = {
        oid: done.get(id(obj)) or classify(obj, now, stale_after) for oid, obj in raw.items()
    }
    present = set(raw)
    refs = {oid: graph.references(obj, present) for oid, obj in raw.items()}
    for oid, node_refs in refs.items():
        statuses[oid].upstream = [Edge(r.via, r.id) for r in node_refs]
    _behind_source(raw, statuses, refs)

    placeholders = {r.id for node_refs in refs.values() for r in node_refs} - present
    nodes = {oid: graph.Node(oid, st.state, st.reason, st.ready) for oid, st in statuses.items()}
    blocking = graph.blocking(nodes, refs, placeholders)
    forbidden_ids = set(forbidden)

    consumers: dict[str, list[str]] = {}
    for oid, node_refs in refs.items():
        for r in node_refs:
            consumers.setdefault(r.id, []).append(oid)

    for oid, st in statuses.items():
        source = next((r.id for r in refs[oid] if r.via in SOURCE_VIAS), None)
        st.hint = hints.hint_for(raw[oid], st, source)
        st.blocked_by = list(blocking.roots.get(oid, []))
        st.waiting_for = list(blocking.edges.get(oid, []))

    _attach_events(statuses, events, max_events)
    out = Analysis(objects=sorted(statuses.values(), key=sort_key))
    out.root_causes = _root_causes(statuses, blocking, placeholders, forbidden_ids, consumers)
    for root in out.root_causes:
        for member in root.members or [root.id]:
            if member in statuses:
                statuses[member].root_cause = True
                statuses[member].blocked_by = []
    out.cycles = _dependency_cycles(refs, present)
    return out


def _root_causes(
    statuses: dict[str, ObjectStatus],
    blocking: graph.Blocking,
    placeholders: set[str],
    forbidden: set[str],
    consumers: dict[str, list[str]],
) -> list[RootCause]:
    roots: dict[str, RootCause] = {}

    def root(root_id: str) -> RootCause:
        if root_id in roots:
            return roots[root_id]
        members = blocking.root_members.get(root_id, [root_id])
        if root_id.startswith("cycle:"):
            rc = RootCause(root_id, "cycle", members=members, hint=hints.CYCLE)
        elif root_id in placeholders:
            kind = "forbidden" if root_id in forbidden else "missing"
            rc = RootCause(
                root_id, kind, hint=hints.FORBIDDEN if kind == "forbidden" else hints.MISSING
            )
        else:
            rc = RootCause(root_id, "object", hint=statuses[root_id].hint)
        roots[root_id] = rc
        return rc

    for oid, root_ids in blocking.roots.items():
        for root_id in root_ids:
            rc = root(root_id)
            if oid not in rc.members and oid != root_id and oid not in rc.blocks:
                rc.blocks.append(oid)
    for oid, st in statuses.items():
        own = st.state.failing or (st.stale and st.state != State.SUSPENDED)
        if own and oid not in blocking.roots:
            root(oid)
    for rc in roots.values():
        rc.blocks.sort(key=lambda i: sort_key(statuses[i]) if i in statuses else (9, 99, i, "", ""))
        if rc.type == "object" and not statuses[rc.id].state.failing and not rc.blocks:
            continue
        blocked = set(rc.blocks) | set(rc.members) | {rc.id}
        rc.affects = [
            i
            for i in graph.downstream(rc.members or [rc.id], consumers)
            if i not in blocked and i in statuses and statuses[i].state == State.READY
        ]
    ordered = sorted(
        roots.values(),
        key=lambda rc: (
            0 if rc.type != "object" else STATE_ORDER.index(statuses[rc.id].state),
            -len(rc.blocks),
            rc.id,
        ),
    )
    return ordered


def _dependency_cycles(refs: dict[str, list[graph.Ref]], present: set[str]) -> list[list[str]]:
    def node(oid: str) -> tuple[str, str, str]:
        kind, _, rest = oid.partition("/")
        ns, _, name = rest.partition("/")
        return (kind, ns, name)

    edges: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for oid, node_refs in refs.items():
        for r in node_refs:
            if r.via == graph.DEPENDS_ON and r.id in present:
                edges.setdefault(node(oid), []).append(node(r.id))
    nodes = {n for source, targets in edges.items() for n in (source, *targets)}
    return [[object_id(*n) for n in cycle] for cycle in find_cycles(nodes, edges)]


def _attach_events(
    statuses: dict[str, ObjectStatus], events: Iterable[dict[str, Any]], max_events: int
) -> None:
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for ev in events:
        kind, ns, name = f.event_subject(ev)
        oid = object_id(kind, ns, name)
        if oid in statuses and f.s(ev.get("type")) == "Warning":
            by_subject.setdefault(oid, []).append(ev)
    for oid, evs in by_subject.items():
        st = statuses[oid]
        if st.state == State.READY:
            continue
        evs.sort(key=lambda e: f.parse_time(f.event_time(e)) or _EPOCH, reverse=True)
        st.events = [f.to_event(e) for e in evs[:max_events]]


def _behind_source(
    raw: dict[str, dict[str, Any]],
    statuses: dict[str, ObjectStatus],
    refs: dict[str, list[graph.Ref]],
) -> None:
    """Mark consumers whose source has an artifact newer than what they applied."""
    behind: dict[str, list[str]] = {}
    for oid, st in statuses.items():
        ref = next((r for r in refs[oid] if r.via in ("sourceRef", "chart", "chartRef")), None)
        if ref is None or ref.id not in statuses or not st.revision:
            continue
        upstream = statuses[ref.id]
        available = upstream.revision
        if not available:
            continue
        st.source_revision = available
        if st.kind == "Kustomization":
            differs = available != st.revision
        elif st.kind == "HelmRelease":
            differs = _chart_differs(raw[oid], available, st.revision)
        else:
            continue
        if differs:
            st.behind_source = True
            st.notes.append(
                f"{ref.id} has {f.short_revision(available)}; applied is "
                f"{f.short_revision(st.revision)}"
            )
            behind.setdefault(ref.id, []).append(oid)
    for source_id, consumers in behind.items():
        upstream = statuses[source_id]
        listed = ", ".join(consumers[:5]) + (
            f" and {len(consumers) - 5} more" if len(consumers) > 5 else ""
        )
        upstream.notes.append(
            f"{len(consumers)} consumer{'s' if len(consumers) > 1 else ''} "
            f"{'have' if len(consumers) > 1 else 'has'} not applied "
            f"{f.short_revision(upstream.revision)} yet: {listed}"
        )


def _chart_differs(hr: dict[str, Any], available: str, deployed_version: str) -> bool:
    """Whether a chart artifact revision (HelmChart: `6.5.4` or `6.5.4+digest`; OCIRepository:
    `6.5.4@sha256:...`) is newer than the deployed release."""
    history = [f.d(h) for h in f.status(hr).get("history") or []]
    deployed = next((h for h in history if h.get("status") in ("deployed", "superseded")), {})
    version, _, digest = available.partition("@")
    oci_digest = f.s(deployed.get("ociDigest"))
    if digest and oci_digest:
        return digest != oci_digest
    return version.split("+", 1)[0] != deployed_version.split("+", 1)[0]
