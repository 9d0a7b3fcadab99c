"""The JSON/YAML document of `fluxops status` (the envelope, kind `StatusResult`, described in
docs/status.md). The table and the tree are in `fluxops.output.status_text`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fluxops.goyaml import dump
from fluxops.model.findings import Finding, Severity
from fluxops.output.envelope import envelope
from fluxops.output.envelope import to_json as envelope_json
from fluxops.output.escape import escape_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.status.states import (
    STATE_ORDER,
    ClusterStatus,
    Hint,
    ObjectStatus,
    RootCause,
    State,
    StatusResult,
)

# -- the document -------------------------------------------------------------------------------


def _hint(hint: Hint | None) -> dict[str, Any] | None:
    if hint is None:
        return None
    return {"id": hint.reason, "text": hint.text, "commands": list(hint.commands)}


def object_data(o: ObjectStatus) -> dict[str, Any]:
    fu = o.failed_upgrade
    return {
        "id": o.id,
        "apiVersion": o.api_version,
        "kind": o.kind,
        "namespace": o.namespace,
        "name": o.name,
        "status": str(o.state),
        "reason": o.reason,
        "message": o.message,
        "since": o.since,
        "ready": o.ready,
        "suspended": o.suspended,
        "stale": o.stale,
        "generation": o.generation,
        "observedGeneration": o.observed_generation,
        "revision": {
            "current": o.revision,
            "attempted": o.attempted_revision,
            "source": o.source_revision,
            "behindSource": o.behind_source,
        },
        "failedUpgrade": None
        if fu is None
        else {
            "action": fu.action,
            "attempted": fu.attempted,
            "deployed": fu.deployed,
            "deployedRelease": fu.deployed_release,
            "failures": fu.failures,
        },
        "rootCause": o.root_cause,
        "blockedBy": list(o.blocked_by),
        "waitingFor": list(o.waiting_for),
        "upstream": [{"via": e.via, "id": e.target} for e in o.upstream],
        "hint": _hint(o.hint),
        "events": [
            {
                "type": e.type,
                "reason": e.reason,
                "message": e.message,
                "count": e.count,
                "lastSeen": e.last_seen,
            }
            for e in o.events
        ],
        "notes": list(o.notes),
        "conditions": [
            {
                "type": c.type,
                "status": c.status,
                "reason": c.reason,
                "message": c.message,
                "lastTransitionTime": c.last_transition_time,
                "observedGeneration": c.observed_generation,
            }
            for c in o.conditions
        ],
    }


def _counts(counts: dict[State, int]) -> dict[str, int]:
    """Objects per state, camelCase keys (`stalled`, `failed`, ... `ready`)."""
    return {"objects": sum(counts.values()), **{str(s).lower(): counts[s] for s in STATE_ORDER}}


def root_data(rc: RootCause, by_id: dict[str, ObjectStatus]) -> dict[str, Any]:
    obj = by_id.get(rc.id)
    return {
        "id": rc.id,
        "type": rc.type,
        "status": str(obj.state) if obj else None,
        "reason": obj.reason if obj else None,
        "message": obj.message if obj else None,
        "members": list(rc.members) if rc.type == "cycle" else [],
        "blocks": list(rc.blocks),
        "affects": list(rc.affects),
        "hint": _hint(rc.hint),
    }


def cluster_data(c: ClusterStatus) -> dict[str, Any]:
    by_id = c.by_id()
    return {
        "name": c.name,
        "server": c.server,
        "origin": c.origin,
        "namespace": c.namespace,
        "error": None if c.error is None else {"message": c.error.message, "hint": c.error.hint},
        "apiVersions": dict(sorted(c.api_versions.items())),
        "summary": _counts(c.counts()),
        "rootCauses": [root_data(rc, by_id) for rc in c.root_causes],
        "cycles": [list(cycle) for cycle in c.cycles],
        "forbidden": [
            {"verb": f.verb, "resource": f.resource, "namespace": f.namespace, "message": f.message}
            for f in c.forbidden
        ],
        "notes": list(c.notes),
        "objects": [object_data(o) for o in c.objects],
        "seconds": round(c.seconds, 3),
    }


def cluster_findings(result: StatusResult) -> list[Finding]:
    """One error finding per cluster that could not be read (the run exits 2), one warning
    per request RBAC refused (what was not seen)."""
    out: list[Finding] = []
    for c in result.clusters:
        out.extend(
            Finding(
                "cluster-forbidden",
                Severity.WARNING,
                f"{c.name}: may not {f.verb} {f.resource}"
                + (f" in namespace {f.namespace}" if f.namespace else " cluster-wide"),
                object=c.server or c.name,
                hint=f.message or None,
            )
            for f in c.forbidden
        )
        if c.error is not None:
            out.append(
                Finding(
                    c.error.code,
                    Severity.ERROR,
                    f"{c.name}: {c.error.message}",
                    object=c.server or c.name,
                    hint=c.error.hint,
                )
            )
    return out


def to_data(result: StatusResult) -> dict[str, Any]:
    """The envelope behind -o json and -o yaml (docs/json.md, docs/status.md)."""
    return envelope(
        result,
        summary={"clusters": len(result.clusters), **_counts(result.counts())},
        data={
            "generatedAt": result.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "failOn": result.fail_on,
            "failing": result.failing(),
            "clusters": [cluster_data(c) for c in result.clusters],
        },
        findings=cluster_findings(result),
    )


def to_json(result: StatusResult, *, compact: bool = False) -> str:
    return envelope_json(to_data(result), compact=compact)


def to_yaml(result: StatusResult) -> str:
    return dump(to_data(result))


def failing_lines(result: StatusResult) -> Iterable[str]:
    """One line per cluster that could not be read (for stderr next to JSON on stdout)."""
    for c in result.clusters:
        if c.error is not None:
            hint = f"\n  hint: {escape_text(c.error.hint)}" if c.error.hint else ""
            yield f"error: {escape_text(c.name)}: {escape_text(c.error.message)}{hint}"


def _stderr(result: StatusResult) -> str:
    return "".join(line + "\n" for line in failing_lines(result))


@formatter("StatusResult", "json")
def json_format(result: StatusResult, view: View) -> Rendered:
    """Indented for people, one line when `view.compact` (pipes, --watch streams)."""
    return Rendered(to_json(result, compact=view.compact), _stderr(result))


@formatter("StatusResult", "yaml")
def yaml_format(result: StatusResult, view: View) -> Rendered:
    """A `---` before each document of a --watch stream (`view.compact`)."""
    return Rendered(("---\n" if view.compact else "") + to_yaml(result), _stderr(result))


@formatter("StatusResult", "table")
def table_format(result: StatusResult, view: View) -> Rendered:
    """The table (or, with `view.tree`, the dependency tree)."""
    from fluxops.output import status_text as text

    if view.tree:
        return Rendered(text.render_tree(result, width=view.width, colour=view.colour))
    return Rendered(
        text.render_table(
            result, width=view.width, colour=view.colour, problems_only=view.problems_only
        )
    )
