"""A run's BuildResult: the builds, plus what only the whole run can see: one object claimed by
two Kustomizations of a cluster (FO005), the dependsOn graph with missing targets (FO008) and
cycles (FO009)."""

from __future__ import annotations

from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import Kustomization
from fluxops.model.graph import KustomizationGraph
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild


def cross_claims(builds: list[KustomizationBuild]) -> list[Finding]:
    """The same object rendered by two Flux Kustomizations for the same target cluster."""
    owners: dict[tuple[str, tuple[str, str, str, str]], str] = {}
    findings = []
    for build in builds:
        for obj in build.objects:
            key = (build.target, obj.id.key)
            other = owners.get(key)
            if other is not None and other != build.ref:
                findings.append(
                    Finding(
                        "FO005",
                        Severity.ERROR,
                        f"{obj.id.short()} is rendered by both Kustomization {other} and "
                        f"{build.ref}: they would fight over it",
                        object=f"Kustomization/{build.ref}",
                        hint="keep the object in one Kustomization's path only",
                    )
                )
            else:
                owners[key] = build.ref
    return findings


def dependency_graph(builds: list[KustomizationBuild]) -> KustomizationGraph:
    graph = KustomizationGraph()
    for build in builds:
        graph.add((build.cluster, build.namespace, build.name))
    for build in builds:
        node = (build.cluster, build.namespace, build.name)
        for dep in Kustomization(build.kustomization).depends_on:
            graph.add_dependency(node, (build.cluster, dep.namespace, dep.name))
        if build.parent:
            ns, _, name = build.parent.partition("/")
            graph.add_child((build.cluster, ns, name), node)
    graph.resolve()
    return graph


def graph_findings(graph: KustomizationGraph) -> list[Finding]:
    findings = []
    for node, target in graph.missing:
        findings.append(
            Finding(
                "FO008",
                Severity.ERROR,
                f"dependsOn {target[1]}/{target[2]}: no such Kustomization in this cluster; "
                f"Flux keeps {node[1]}/{node[2]} waiting (DependencyNotReady)",
                object=f"Kustomization/{node[1]}/{node[2]}",
                hint="fix the name or namespace in spec.dependsOn",
            )
        )
    for cycle in graph.cycles():
        chain = " -> ".join(f"{ns}/{name}" for _, ns, name in [*cycle, cycle[0]])
        findings.append(
            Finding(
                "FO009",
                Severity.ERROR,
                f"dependency cycle: {chain}; none of them can become ready",
                object=f"Kustomization/{cycle[0][1]}/{cycle[0][2]}",
                hint="remove one dependsOn edge of the cycle",
            )
        )
    return findings


def build_result(
    builds: list[KustomizationBuild], extra: list[Finding], *, complete: bool = True
) -> BuildResult:
    """`complete`: the builds are whole clusters (--all), so a dependsOn target that is not
    among them really does not exist."""
    result = BuildResult(builds=builds)
    result.findings.extend(extra)
    result.findings.extend(cross_claims(builds))
    result.graph = dependency_graph(builds)
    if complete:
        result.findings.extend(graph_findings(result.graph))
    return result


def duplicate_identities(objects: list[Resource]) -> list[str]:
    """Identities that occur more than once among `objects` (in one Kustomization's output)."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for obj in objects:
        if obj.id.key in seen:
            out.append(obj.id.short())
        seen.add(obj.id.key)
    return out
