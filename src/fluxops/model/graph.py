"""The dependency graph of Flux Kustomizations: `dependsOn` edges and parent/child edges (a
Kustomization found in another's rendered output), with cycle detection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: A node: (cluster, namespace, name).
Node = tuple[str, str, str]


@dataclass
class KustomizationGraph:
    nodes: set[Node] = field(default_factory=set)
    depends_on: dict[Node, list[Node]] = field(default_factory=dict)
    children: dict[Node, list[Node]] = field(default_factory=dict)
    missing: list[tuple[Node, Node]] = field(default_factory=list)

    def add(self, node: Node) -> None:
        self.nodes.add(node)

    def add_dependency(self, node: Node, target: Node) -> None:
        self.depends_on.setdefault(node, []).append(target)

    def add_child(self, parent: Node, child: Node) -> None:
        self.children.setdefault(parent, []).append(child)

    def resolve(self) -> None:
        """Record dependsOn targets that are not Kustomizations of the same cluster."""
        self.missing = [
            (node, target)
            for node, targets in sorted(self.depends_on.items())
            for target in targets
            if target not in self.nodes
        ]

    def cycles(self) -> list[list[Node]]:
        """Every elementary dependsOn cycle found by a depth-first search, each reported once,
        rotated to start at its smallest node."""
        return find_cycles(self.nodes, self.depends_on)

    def order(self) -> list[Node]:
        """Nodes in an order where every dependency comes first (cycles broken arbitrarily)."""
        seen: set[Node] = set()
        out: list[Node] = []

        def visit(node: Node, stack: set[Node]) -> None:
            if node in seen or node in stack:
                return
            stack.add(node)
            for dep in self.depends_on.get(node, []):
                if dep in self.nodes:
                    visit(dep, stack)
            stack.discard(node)
            seen.add(node)
            out.append(node)

        for node in sorted(self.nodes):
            visit(node, set())
        return out


def find_cycles(nodes: Iterable[Node], edges: dict[Node, list[Node]]) -> list[list[Node]]:
    found: dict[tuple[Node, ...], list[Node]] = {}
    node_set = set(nodes)
    WHITE, GREY, BLACK = 0, 1, 2
    color = dict.fromkeys(node_set, WHITE)
    path: list[Node] = []

    def dfs(node: Node) -> None:
        color[node] = GREY
        path.append(node)
        for nxt in edges.get(node, []):
            if nxt not in node_set:
                continue
            if color[nxt] == GREY:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                rotated = cycle[start:] + cycle[:start]
                found.setdefault(tuple(rotated), rotated)
            elif color[nxt] == WHITE:
                dfs(nxt)
        path.pop()
        color[node] = BLACK

    for node in sorted(node_set):
        if color[node] == WHITE:
            dfs(node)
    return [found[k] for k in sorted(found)]
