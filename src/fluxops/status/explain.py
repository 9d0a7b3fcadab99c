"""The `explain` verb: why one Flux object is not ready, from a live cluster or a snapshot.

It classifies the cluster as `status` does (every Flux object, so the dependsOn and source
chain is complete across namespaces), then adds what only one object deserves: its conditions
with ages, its events, the controllers' log lines about it (as `flux logs --kind --name -n`),
the health of its inventory (kstatus), a HelmRelease's history, and the next commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fluxops.errors import ClusterError, UsageError
from fluxops.status.explain_model import (
    ControllerLogs,
    ExplainResult,
    InventoryHealth,
    LogLine,
    UnhealthyObject,
)

if TYPE_CHECKING:
    from fluxops.cluster.controller_logs import ControllerLog
    from fluxops.cluster.snapshot import ObjectSource
    from fluxops.status.states import ObjectStatus

Obj = dict[str, Any]


@dataclass
class ExplainRequest:
    """One object (`KIND/NAMESPACE/NAME`) of the current (or `context`) cluster, or of a
    `snapshot` file. `logs`: read the controllers' logs (live: the last `log_tail` lines of
    each, through pods/log in `flux_namespace`); `log_lines`: how many matching lines per
    controller to keep. `now` fixes the clock (tests; a snapshot defaults to when it was
    taken)."""

    target: str
    kubeconfig: str | None = None
    context: str | None = None
    snapshot: str | None = None
    timeout: float = 10.0
    logs: bool = True
    log_lines: int = 20
    log_tail: int | None = 5000
    flux_namespace: str = "flux-system"
    inventory: bool = True
    now: datetime | None = None


def run(request: ExplainRequest) -> ExplainResult:
    from fluxops.status.explain_parts import parse_target

    if request.snapshot and request.context:
        raise UsageError("--snapshot reads a file: it cannot be combined with --context")
    if request.log_lines < 0:
        raise UsageError("--log-lines must be 0 or more")
    kind, namespace, name = parse_target(request.target)
    target = f"{kind}/{namespace}/{name}"
    if request.snapshot:
        from fluxops.cluster.snapshot import load_snapshot
        from fluxops.cluster.snapshot_writer import CONTEXT, TAKEN_AT
        from fluxops.status.accessors import parse_time

        snap = load_snapshot(request.snapshot)
        now = request.now or parse_time(snap.annotations.get(TAKEN_AT)) or datetime.now(UTC)
        result = ExplainResult(
            target, origin="snapshot", cluster=snap.annotations.get(CONTEXT) or request.snapshot
        )
        return _explain(snap, result, kind, namespace, name, now, request)

    from fluxops.cluster.client import connect

    now = request.now or datetime.now(UTC)
    result = ExplainResult(target, origin="live")
    try:
        client = connect(request.kubeconfig, request.context, timeout=request.timeout)
    except ClusterError as exc:
        result.error, result.error_hint = exc.message, exc.hint or ""
        result.error_code = exc.code
        return result
    with client:
        result.cluster = client.context
        return _explain(client, result, kind, namespace, name, now, request)


def _explain(
    source: ObjectSource,
    result: ExplainResult,
    kind: str,
    namespace: str,
    name: str,
    now: datetime,
    request: ExplainRequest,
) -> ExplainResult:
    from fluxops.status import explain_parts as parts
    from fluxops.status.collect import cluster_status
    from fluxops.status.states import State, object_id

    result.generated_at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cluster = cluster_status(source, name=result.cluster, now=now, origin=result.origin)
    if cluster.error is not None:
        result.error, result.error_hint = cluster.error.message, cluster.error.hint or ""
        result.error_code = cluster.error.code
        return result
    st = cluster.by_id().get(object_id(kind, namespace, name))
    if st is None and cluster.forbidden:
        # a user who may not list everywhere: read the object's own namespace (and what its
        # objects reference elsewhere, as far as allowed)
        scoped = cluster_status(
            source, name=result.cluster, now=now, origin=result.origin, namespace=namespace
        )
        if scoped.error is None and object_id(kind, namespace, name) in scoped.by_id():
            cluster = scoped
            st = cluster.by_id()[object_id(kind, namespace, name)]
    if st is None:
        result.error = f"{kind} {namespace}/{name} not found in {result.cluster or 'the cluster'}"
        result.error_code = "not-found"
        result.suggestions = parts.suggestions(cluster, kind, namespace, name)
        if kind not in cluster.api_versions:
            served = ", ".join(sorted(cluster.api_versions)) or "none"
            result.error_hint = f"{kind} is not a Flux kind this cluster serves ({served})"
        elif result.suggestions:
            result.error_hint = "did you mean: " + ", ".join(result.suggestions)
        return result
    result.found = True
    result.api_version = st.api_version
    result.state, result.reason, result.message = str(st.state), st.reason, st.message
    result.since, result.suspended, result.revision = st.since, st.suspended, st.revision
    result.root_cause = st.root_cause
    result.blocked_by = list(st.blocked_by)
    result.chain = parts.chain(cluster, st)
    result.conditions = parts.aged_conditions(st, now)
    result.events = parts.aged_events(st, now)
    result.hint = st.hint.text if st.hint else ""
    result.notes.extend(cluster.notes)
    raw = source.get(st.api_version, kind, name, namespace) or {}
    remote = isinstance((raw.get("spec") or {}).get("kubeConfig"), dict)
    if request.inventory and _has_inventory(raw) and remote:
        result.notes.append(
            "its inventory is applied to another cluster (spec.kubeConfig): not checked here"
        )
    elif request.inventory and _has_inventory(raw):
        result.inventory = _inventory_health(source, raw)
    if kind == "HelmRelease":
        result.history = parts.helm_history(raw)
    if request.logs:
        result.logs = _logs(source, st, request)
    else:
        result.logs = ControllerLogs(source="off")
    unhealthy = [u.id for u in result.inventory.unhealthy] if result.inventory else []
    result.ready = st.state == State.READY and not unhealthy
    result.next_commands = parts.next_commands(st, result.chain, unhealthy)
    return result


def _has_inventory(obj: Obj) -> bool:
    inventory = (obj.get("status") or {}).get("inventory")
    return isinstance(inventory, dict) and bool(inventory.get("entries"))


def _inventory_health(source: ObjectSource, owner: Obj) -> InventoryHealth:
    from fluxops.cluster.inventory import read_inventory
    from fluxops.status.health import health, missing
    from fluxops.status.states import object_id

    read = read_inventory(source, owner)
    out = InventoryHealth(total=len(read.refs))
    for ref in read.refs:
        oid = object_id(ref.kind, ref.namespace, ref.name)
        if ref in read.errors:
            out.unhealthy.append(
                UnhealthyObject(oid, ref.api_version, "Unreadable", read.errors[ref])
            )
            continue
        obj = read.objects.get(ref)
        verdict = missing() if obj is None else health(obj)
        out.checked += 1
        if not verdict.healthy:
            out.unhealthy.append(
                UnhealthyObject(oid, ref.api_version, verdict.status, verdict.message)
            )
    return out


def _logs(source: ObjectSource, st: ObjectStatus, request: ExplainRequest) -> ControllerLogs:
    from fluxops.cluster.client import ClusterClient
    from fluxops.cluster.controller_logs import object_log_lines, read_controller_logs

    out = ControllerLogs(source="live" if isinstance(source, ClusterClient) else "snapshot")
    if isinstance(source, ClusterClient):
        try:
            logs = read_controller_logs(source, request.flux_namespace, tail_lines=request.log_tail)
        except ClusterError as exc:
            out.notes.append(f"could not read the Flux controllers' logs: {exc.message}")
            return out
        if not logs:
            out.notes.append(
                f"no Flux controller Deployments in {request.flux_namespace} "
                "(label app.kubernetes.io/part-of=flux)"
            )
    else:
        logs = _snapshot_logs(source)
        if not logs:
            out.notes.append("the snapshot holds no controller logs (take it with --logs)")
    out.read = bool(logs)
    for log in object_log_lines(logs, st.kind, st.name, st.namespace):
        out.controllers.append(log.deployment)
        if log.error:
            out.notes.append(f"{log.deployment}: {log.error}")
        entries = log.entries
        if request.log_lines < len(entries):
            out.omitted += len(entries) - request.log_lines
            entries = entries[len(entries) - request.log_lines :]
        out.lines.extend(_line(log.deployment, e) for e in entries)
    return out


def _line(controller: str, entry: Any) -> LogLine:
    from fluxops.status.accessors import mask

    return LogLine(
        controller, entry.ts, entry.level, mask(entry.msg), mask(entry.error), mask(entry.format())
    )


def _snapshot_logs(source: ObjectSource) -> list[ControllerLog]:
    from fluxops.cluster.controller_logs import ControllerLog
    from fluxops.cluster.snapshot_writer import LOGS_ANNOTATION

    annotations: dict[str, str] = getattr(source, "annotations", {})
    return [
        ControllerLog(deployment=key[len(LOGS_ANNOTATION) :], text=value)
        for key, value in sorted(annotations.items())
        if key.startswith(LOGS_ANNOTATION)
    ]


__all__ = ["ExplainRequest", "run"]
