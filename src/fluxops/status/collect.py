"""The status of one cluster (or snapshot): read what RBAC allows, fetch what is referenced from
outside the namespaces read, then `analyze`. Errors that stop a cluster are kept in
`ClusterStatus.error`, so a run over several contexts reports every cluster it could read."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from fluxops.cluster.flux_objects import DEFAULT_WORKERS, Ref, fetch, read_flux_objects
from fluxops.cluster.snapshot import ObjectSource
from fluxops.errors import ClusterError
from fluxops.status import graph
from fluxops.status.accessors import meta, s
from fluxops.status.analyze import analyze
from fluxops.status.classify import DEFAULT_STALE_AFTER, classify
from fluxops.status.states import ClusterIssue, ClusterStatus, Forbidden, ObjectStatus, object_id


def cluster_status(
    source: ObjectSource,
    *,
    name: str,
    now: datetime,
    origin: str = "live",
    namespace: str | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    workers: int = DEFAULT_WORKERS,
) -> ClusterStatus:
    started = time.perf_counter()
    out = ClusterStatus(
        name=name,
        server=str(getattr(source, "server", "")),
        origin=origin,
        namespace=namespace,
    )
    classified: dict[int, ObjectStatus] = {}

    def classify_as_read(kind: str, items: list[dict[str, Any]]) -> None:
        for obj in items:  # while the other kinds are still on the wire
            classified[id(obj)] = classify(obj, now, stale_after)

    try:
        read = read_flux_objects(source, namespace, workers=workers, on_items=classify_as_read)
        out.api_versions = dict(read.api_versions)
        objects = list(read.objects)
        present = {
            object_id(s(o.get("kind")), s(meta(o).get("namespace")), s(meta(o).get("name")))
            for o in objects
        }
        wanted: list[Ref] = []
        complete = all(read.scopes.get(k, ()) is None for k in read.api_versions)
        for obj in [] if complete else objects:  # read everywhere: nothing is out of scope
            for ref in graph.references(obj):
                if ref.id in present or read.readable(ref.kind, ref.namespace):
                    continue
                api_version = read.api_versions.get(ref.kind)
                if api_version:
                    wanted.append(Ref(api_version, ref.kind, ref.namespace, ref.name))
        forbidden: list[str] = []
        if wanted:
            fetched = fetch(source, wanted, workers=workers)
            for obj in fetched.found:
                objects.append(obj)
            forbidden = [object_id(r.kind, r.namespace, r.name) for r, _ in fetched.refused]
            out.forbidden.extend(
                Forbidden(x.verb, x.resource, x.namespace, x.message) for _, x in fetched.refused
            )
            for failed, error in fetched.failed:
                out.notes.append(
                    f"could not read {failed.kind} {failed.namespace}/{failed.name}: {error}"
                )
            if fetched.found:
                out.notes.append(
                    f"read {len(fetched.found)} object(s) outside the namespaces listed, "
                    "because objects there reference them"
                )
        analysis = analyze(
            objects,
            read.events,
            now=now,
            stale_after=stale_after,
            forbidden=forbidden,
            classified=classified,
        )
    except ClusterError as exc:
        out.error = ClusterIssue(exc.message, exc.hint, exc.code)
        out.seconds = time.perf_counter() - started
        return out
    out.objects = analysis.objects
    out.root_causes = analysis.root_causes
    out.cycles = analysis.cycles
    out.forbidden[:0] = [
        Forbidden(r.verb, r.resource, r.namespace, r.message) for r in read.refusals
    ]
    out.notes[:0] = read.notes
    out.seconds = time.perf_counter() - started
    return out
