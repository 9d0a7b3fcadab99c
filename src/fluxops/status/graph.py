"""What depends on what among Flux objects, and which failures explain which.

Edges point from a consumer to what it needs:

- Kustomization: `dependsOn` (Kustomizations), `sourceRef` (GitRepository, OCIRepository,
  Bucket, ExternalArtifact);
- HelmRelease: `dependsOn` (HelmReleases), `chartRef` (OCIRepository, HelmChart,
  ExternalArtifact), `chart` (the HelmChart helm-controller generates, `status.helmChart`,
  named `<namespace>-<name>` in the source's namespace; when it does not exist, the chart's
  `sourceRef` itself);
- HelmChart: `sourceRef` (HelmRepository, GitRepository, Bucket);
- ImagePolicy: `imageRepositoryRef`; ImageUpdateAutomation: `sourceRef`; Alert: `providerRef`;
  ExternalArtifact: `sourceRef` (its ArtifactGenerator); ArtifactGenerator: `sources`.

An object is *blocked* by what it needs only when its own failure says so (reason
`DependencyNotReady` for dependsOn, `ArtifactFailed` / `SourceNotReady` and the like for
sources) and that upstream is not ready (for dependsOn: Ready=True at the current generation,
as kustomize-controller checks; for sources: state Ready), missing or unreadable. A failure
that is its own (a build error, a failed health check) is a root cause even when its source
fails too. Root causes are the strongly connected components of the blocking graph with no
blocking edge out: one object, a missing or forbidden reference, or a dependency cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fluxops.status import accessors as f
from fluxops.status.states import State, object_id

#: Reasons that say "my dependsOn is not ready".
DEPENDENCY_REASONS = frozenset({"DependencyNotReady"})
#: Reasons that say "my source (artifact) is not ready".
SOURCE_REASONS = frozenset({"ArtifactFailed", "SourceNotReady", "IncludeUnavailable"})
#: image-reflector-controller says DependencyNotReady when the ImageRepository is not ready.
REFERENCE_REASONS = {"imageRepositoryRef": frozenset({"DependencyNotReady"})}
DEPENDS_ON = "dependsOn"


@dataclass(frozen=True)
class Ref:
    """A reference from one object to another, by id."""

    via: str
    kind: str
    namespace: str
    name: str
    id: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", object_id(self.kind, self.namespace, self.name))


def _refs_from(spec_ref: Any, default_ns: str, via: str, default_kind: str = "") -> list[Ref]:
    ref = f.d(spec_ref)
    name = f.s(ref.get("name"))
    kind = f.s(ref.get("kind")) or default_kind
    if not name or not kind:
        return []
    return [Ref(via, kind, f.s(ref.get("namespace")) or default_ns, name)]


def references(obj: dict[str, Any], present: set[str] | None = None) -> list[Ref]:
    """What `obj` needs, in spec order. `present` (ids of known objects) decides whether a
    HelmRelease's generated HelmChart is used or, when it does not exist, the chart source."""
    kind = f.s(obj.get("kind"))
    meta = f.meta(obj)
    spec = f.spec(obj)
    ns = f.s(meta.get("namespace"))
    name = f.s(meta.get("name"))
    out: list[Ref] = []
    if kind in ("Kustomization", "HelmRelease"):
        for dep in spec.get("dependsOn") or []:
            dep = f.d(dep)
            dep_name = f.s(dep.get("name"))
            if dep_name:
                dep_kind = f.s(dep.get("kind")) or kind
                out.append(Ref(DEPENDS_ON, dep_kind, f.s(dep.get("namespace")) or ns, dep_name))
    if kind == "Kustomization":
        out += _refs_from(spec.get("sourceRef"), ns, "sourceRef")
    elif kind == "HelmRelease":
        if spec.get("chartRef"):
            out += _refs_from(spec.get("chartRef"), ns, "chartRef")
        else:
            chart_spec = f.d(f.d(spec.get("chart")).get("spec"))
            source = _refs_from(chart_spec.get("sourceRef"), ns, "chart.spec.sourceRef")
            chart_ns = source[0].namespace if source else ns
            chart_name = f"{ns}-{name}"
            recorded = f.s(f.status(obj).get("helmChart"))
            if "/" in recorded:
                chart_ns, chart_name = recorded.split("/", 1)
            chart = Ref("chart", "HelmChart", chart_ns, chart_name)
            if source and present is not None and chart.id not in present:
                out += source
            elif source or recorded:
                out.append(chart)
    elif kind in ("HelmChart", "ImageUpdateAutomation"):
        out += _refs_from(spec.get("sourceRef"), ns, "sourceRef")
    elif kind == "ExternalArtifact":
        out += _refs_from(spec.get("sourceRef"), ns, "sourceRef", "ArtifactGenerator")
    elif kind == "ImagePolicy":
        out += _refs_from(
            spec.get("imageRepositoryRef"), ns, "imageRepositoryRef", "ImageRepository"
        )
    elif kind == "Alert":
        out += _refs_from(spec.get("providerRef"), ns, "providerRef", "Provider")
    elif kind == "ArtifactGenerator":
        for src in spec.get("sources") or []:
            out += _refs_from(src, ns, "sources")
    return out


@dataclass
class Node:
    """What the blocking analysis needs to know about an object."""

    id: str
    state: State
    reason: str
    ready: bool  # Ready=True at the current generation (what dependsOn checks)


@dataclass
class Blocking:
    edges: dict[str, list[str]] = field(default_factory=dict)  # id -> upstream ids it waits for
    roots: dict[str, list[str]] = field(default_factory=dict)  # id -> root cause ids
    root_members: dict[str, list[str]] = field(default_factory=dict)  # root id -> members
    cycles: list[list[str]] = field(default_factory=list)


def upstream_ok(ref: Ref, node: Node | None) -> bool:
    if node is None:
        return False
    if ref.via == DEPENDS_ON:
        return node.ready
    return node.state == State.READY


def waits_for(consumer: Node, ref: Ref) -> bool:
    """Whether `consumer`'s own status says it waits for what `ref` points to."""
    if consumer.state in (State.READY, State.SUSPENDED):
        return False
    if ref.via == DEPENDS_ON:
        return consumer.reason in DEPENDENCY_REASONS
    return consumer.reason in REFERENCE_REASONS.get(ref.via, SOURCE_REASONS)


def blocking(
    nodes: dict[str, Node], refs: dict[str, list[Ref]], placeholders: Iterable[str] = ()
) -> Blocking:
    """The blocking graph and, for every blocked or failing object, its root causes.

    `placeholders` are ids of referenced objects that are missing or unreadable: they block
    whatever waits for them and are root causes of their own."""
    out = Blocking()
    holders = set(placeholders)
    for node_id, node_refs in refs.items():
        consumer = nodes[node_id]
        for ref in node_refs:
            target = nodes.get(ref.id)
            if target is None and ref.id not in holders:
                continue
            if waits_for(consumer, ref) and not upstream_ok(ref, target):
                out.edges.setdefault(node_id, [])
                if ref.id not in out.edges[node_id]:
                    out.edges[node_id].append(ref.id)
    all_ids = sorted(set(nodes) | holders)
    components = strongly_connected(all_ids, out.edges)
    comp_of = {member: i for i, comp in enumerate(components) for member in comp}
    comp_out: dict[int, set[int]] = {}
    for src, targets in out.edges.items():
        for dst in targets:
            if comp_of[src] != comp_of[dst]:
                comp_out.setdefault(comp_of[src], set()).add(comp_of[dst])

    def comp_id(i: int) -> str:
        members = components[i]
        if len(members) == 1:
            return members[0]
        return "cycle:" + " -> ".join(members)

    # Root components reachable from each component. Tarjan emits components in reverse
    # topological order (a component comes after every component it reaches), so one pass in
    # that order sees every successor first; no recursion (chains can be thousands deep).
    reach: list[list[int]] = []
    for i in range(len(components)):
        nexts = sorted(comp_out.get(i, set()))
        if not nexts:
            reach.append([i])
            continue
        found: list[int] = []
        for j in nexts:
            for r in reach[j]:
                if r not in found:
                    found.append(r)
        reach.append(found)

    def root_comps(i: int) -> list[int]:
        return reach[i]

    for members in components:
        is_cycle = len(members) > 1 or members[0] in out.edges.get(members[0], [])
        if is_cycle:
            out.cycles.append(members)
    for node_id in all_ids:
        comps = root_comps(comp_of[node_id])
        if comps == [comp_of[node_id]] and node_id not in out.edges:
            continue  # nothing upstream explains it: it is (at most) its own root
        roots = [comp_id(i) for i in comps]
        out.roots[node_id] = roots
        for i in comps:
            out.root_members[comp_id(i)] = list(components[i])
    return out


def strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; each component's members sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            recurse = False
            while i < len(targets):
                nxt = targets[i]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                result.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def downstream(start: Iterable[str], consumers: dict[str, list[str]]) -> list[str]:
    """Every object that (transitively) consumes one of `start`, breadth first."""
    seen: dict[str, None] = {}
    queue = list(start)
    origin = set(queue)
    while queue:
        node = queue.pop(0)
        for consumer in consumers.get(node, []):
            if consumer not in seen and consumer not in origin:
                seen[consumer] = None
                queue.append(consumer)
    return list(seen)
