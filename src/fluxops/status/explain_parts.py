"""The parts of an explanation that need no cluster: parsing KIND/NAMESPACE/NAME, the blocking
chain from a classified cluster, conditions and events with ages, a HelmRelease's history,
did-you-mean, and the next commands."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from fluxops.errors import UsageError
from fluxops.model.durations import format_age
from fluxops.status.accessors import d, n, parse_time, s
from fluxops.status.explain_model import AgedCondition, AgedEvent, ChainLink, HelmRevision
from fluxops.status.hints import get_command, reconcile_command
from fluxops.status.states import ClusterStatus, ObjectStatus, State, object_id

#: what people type -> the Flux kind (flux CLI nouns, kubectl short names, plurals)
KIND_ALIASES = {
    "ks": "Kustomization",
    "kustomization": "Kustomization",
    "hr": "HelmRelease",
    "helmrelease": "HelmRelease",
    "gitrepo": "GitRepository",
    "gitrepository": "GitRepository",
    "ocirepo": "OCIRepository",
    "ocirepository": "OCIRepository",
    "bucket": "Bucket",
    "helmrepo": "HelmRepository",
    "helmrepository": "HelmRepository",
    "helmchart": "HelmChart",
    "imagerepository": "ImageRepository",
    "imagepolicy": "ImagePolicy",
    "imageupdateautomation": "ImageUpdateAutomation",
    "externalartifact": "ExternalArtifact",
    "artifactgenerator": "ArtifactGenerator",
    "alert": "Alert",
    "provider": "Provider",
    "receiver": "Receiver",
}


def parse_target(target: str) -> tuple[str, str, str]:
    """KIND/NAMESPACE/NAME (KIND case-insensitive, singular or plural, or a short name)."""
    parts = target.split("/")
    if len(parts) != 3 or not all(parts):
        raise UsageError(
            f"{target!r}: expected KIND/NAMESPACE/NAME",
            hint="for example: fluxops explain Kustomization/flux-system/apps",
        )
    kind, namespace, name = parts
    key = kind.lower()
    canonical = KIND_ALIASES.get(key) or KIND_ALIASES.get(key.removesuffix("s"))
    if canonical is None and key.endswith("ies"):
        canonical = KIND_ALIASES.get(key[:-3] + "y")
    return canonical or kind, namespace, name


def age(when: str | None, now: datetime) -> str | None:
    parsed = parse_time(when)
    return format_age((now - parsed).total_seconds()) if parsed else None


def aged_conditions(st: ObjectStatus, now: datetime) -> list[AgedCondition]:
    return [
        AgedCondition(
            c.type,
            c.status,
            c.reason,
            c.message,
            c.last_transition_time,
            age(c.last_transition_time, now),
        )
        for c in st.conditions
    ]


def aged_events(st: ObjectStatus, now: datetime) -> list[AgedEvent]:
    return [
        AgedEvent(e.type, e.reason, e.message, e.count, e.last_seen, age(e.last_seen, now))
        for e in st.events
    ]


def chain(cluster: ClusterStatus, target: ObjectStatus) -> list[ChainLink]:
    """Everything upstream of `target` (dependsOn recursively, sources and their sources): the
    root causes first, then what is not ready (farthest upstream first), then the rest."""
    by_id = cluster.by_id()
    roots = {r.id for r in cluster.root_causes} | {
        m for r in cluster.root_causes for m in r.members
    }
    root_types = {r.id: r.type for r in cluster.root_causes}
    links: dict[str, ChainLink] = {}
    frontier: list[tuple[ObjectStatus, int]] = [(target, 0)]
    while frontier:
        node, depth = frontier.pop(0)
        for edge in node.upstream:
            if edge.target in links or edge.target == target.id:
                continue
            up = by_id.get(edge.target)
            if up is None:
                state = "Forbidden" if root_types.get(edge.target) == "forbidden" else "Missing"
                links[edge.target] = ChainLink(
                    edge.target,
                    edge.via,
                    depth + 1,
                    state,
                    message="referenced but not in the cluster"
                    if state == "Missing"
                    else "you may not read it",
                    root_cause=edge.target in roots,
                )
                continue
            links[edge.target] = ChainLink(
                up.id,
                edge.via,
                depth + 1,
                str(up.state),
                up.reason,
                up.message,
                up.since,
                root_cause=up.id in roots and not up.ready,
                waiting_for=tuple(up.waiting_for),
            )
            frontier.append((up, depth + 1))
    return sorted(
        links.values(),
        key=lambda link: (not link.root_cause, link.state == "Ready", -link.depth, link.id),
    )


def helm_history(obj: dict[str, Any]) -> list[HelmRevision]:
    out = []
    for h in d(obj.get("status")).get("history") or []:
        h = d(h)
        tests = d(h.get("testHooks"))
        test_phases = sorted({s(d(t).get("phase")) for t in tests.values()} - {""})
        out.append(
            HelmRevision(
                version=n(h.get("version")),
                status=s(h.get("status")),
                chart=s(h.get("chartName")),
                chart_version=s(h.get("chartVersion")),
                app_version=s(h.get("appVersion")),
                first_deployed=s(h.get("firstDeployed")) or None,
                last_deployed=s(h.get("lastDeployed")) or None,
                deleted=s(h.get("deleted")) or None,
                test_status=",".join(test_phases),
            )
        )
    return out


def suggestions(cluster: ClusterStatus, kind: str, namespace: str, name: str) -> list[str]:
    """Ids of objects that look like the one asked for (did-you-mean)."""
    wanted = object_id(kind, namespace, name).lower()
    ids = {o.id.lower(): o.id for o in cluster.objects}
    close = difflib.get_close_matches(wanted, list(ids), n=5, cutoff=0.6)
    same_name = [o.id for o in cluster.objects if o.name == name and o.id.lower() not in close]
    return [ids[c] for c in close] + sorted(same_name)[:5]


def next_commands(target: ObjectStatus, links: list[ChainLink], unhealthy: list[str]) -> list[str]:
    """What to run next: for a blocked object the root cause's own hint and its explain, then
    the object's hint, its logs, a reconcile once fixed."""
    out: list[str] = []

    def add(command: str) -> None:
        if command and command not in out:
            out.append(command)

    for link in links:
        if link.root_cause and link.state not in ("Missing", "Forbidden"):
            add(f"fluxops explain {link.id}")
        elif link.root_cause and link.state == "Missing":
            kind, _, rest = link.id.partition("/")
            namespace, _, name = rest.partition("/")
            add(f"kubectl -n {namespace} get {kind.lower()} {name}")
    if target.hint is not None:
        for command in target.hint.commands:
            add(command)
    if unhealthy:
        kind, _, rest = unhealthy[0].partition("/")
        namespace, _, name = rest.partition("/")
        add(
            f"kubectl -n {namespace} describe {kind.lower()} {name}"
            if namespace
            else f"kubectl describe {kind.lower()} {name}"
        )
    if target.state != State.READY:
        add(f"flux logs --kind {target.kind} --name {target.name} -n {target.namespace}")
        if target.suspended:
            add(
                f"flux resume {reconcile_command(target.kind, target.name, target.namespace)}".replace(
                    "flux resume flux reconcile ", "flux resume "
                )
            )
        else:
            with_source = (
                " --with-source" if target.kind in ("Kustomization", "HelmRelease") else ""
            )
            add(reconcile_command(target.kind, target.name, target.namespace, with_source))
    if not out:
        add(get_command(target.kind, target.name, target.namespace))
    return out
