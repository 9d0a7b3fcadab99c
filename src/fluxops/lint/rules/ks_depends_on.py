"""`dependsOn` should name Flux Kustomizations that exist, and never form a cycle.

A Kustomization that depends on one that does not exist waits forever (`dependency ... not
found`); a cycle blocks every Kustomization on it. A dependency without a namespace is in the
Kustomization's own namespace; when a namespace is not written in the files (set by a kustomization
`namespace:`) names are matched across namespaces, and edges are drawn only where the match is
unique, so cycles are never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule, field_line
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource

_KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: ./{name}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  dependsOn:
    - name: {dep}
"""


class KsDependsOn(Rule):
    id = "ks-depends-on"
    severity = Severity.ERROR
    summary = "dependsOn to an unknown Kustomization, or a dependency cycle"
    passing: ClassVar[dict[str, str]] = {
        "ks.yaml": _KS.format(name="apps", dep="infra")
        + _KS.format(name="infra", dep="crds").replace("  dependsOn:\n    - name: crds\n", ""),
        "apps/a.yaml": "kind: ConfigMap\n",
        "infra/a.yaml": "kind: ConfigMap\n",
    }
    failing: ClassVar[dict[str, str]] = {
        "ks.yaml": _KS.format(name="apps", dep="infra") + _KS.format(name="infra", dep="apps"),
        "apps/a.yaml": "kind: ConfigMap\n",
        "infra/a.yaml": "kind: ConfigMap\n",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        nodes = ctx.kustomizations()
        by_name: dict[str, list[tuple[str | None, Resource]]] = {}
        for r in nodes:
            by_name.setdefault(r.name, []).append((ctx.namespace_of(r), r))
        edges: dict[int, list[int]] = {}
        index = {id(r): i for i, r in enumerate(nodes)}
        for resource in nodes:
            own_ns = ctx.namespace_of(resource)
            for entry in resource.spec.get("dependsOn") or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    continue
                name = entry["name"]
                if "${" in name:
                    continue
                ns = entry.get("namespace") or own_ns
                ns = None if isinstance(ns, str) and "${" in ns else ns
                matches = [
                    r
                    for cand_ns, r in by_name.get(name, [])
                    if ns is None or cand_ns is None or cand_ns == ns
                ]
                if not matches:
                    text = ctx.files.read(resource.origin.file) if resource.origin else None
                    where = f"{ns}/{name}" if ns else name
                    yield self.finding(
                        f"dependsOn Kustomization {where}, which is not defined in this "
                        "repository: this Kustomization will wait for it forever",
                        resource=resource,
                        line=field_line(resource, text, "spec", "dependsOn"),
                        path="spec.dependsOn",
                        hint="fix the name/namespace, or remove the dependency",
                    )
                elif len(matches) == 1:
                    edges.setdefault(index[id(resource)], []).append(index[id(matches[0])])
        for cycle in _cycles(len(nodes), edges):
            first = nodes[cycle[0]]
            names = ", ".join(f"{ctx.namespace_of(nodes[i]) or '?'}/{nodes[i].name}" for i in cycle)
            yield self.finding(
                f"dependency cycle between {names}: none of them will ever be applied",
                resource=first,
                path="spec.dependsOn",
                hint="remove one dependsOn entry of the cycle",
            )


def _cycles(count: int, edges: dict[int, list[int]]) -> list[list[int]]:
    """Strongly connected components with more than one node, or a self-loop (Tarjan)."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[list[int]] = []
    counter = 0

    def visit(start: int) -> None:
        nonlocal counter
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index_of[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                nxt = targets[child]
                if nxt not in index_of:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index_of[nxt])
                continue
            if low[node] == index_of[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in edges.get(node, []):
                    out.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])

    for n in range(count):
        if n not in index_of:
            visit(n)
    return out
