"""The merge-strategy tree of a structural schema: for each field its shape (object with known
properties, map, list, scalar), how server-side apply merges a list (`x-kubernetes-list-type`:
`map` with its key fields, `set`, `atomic`), and how the API server normalises a value
(resource quantities, int-or-string, base64 bytes). Pure data; `fluxops.drift.schema` builds
it from the built-in OpenAPI definitions and CRDs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    """One field of a schema. `kind`: object (known `props`), map (`values`), list (`items`,
    `list_type`, `keys`), scalar, or any (nothing known)."""

    kind: str = "any"
    props: dict[str, Node] = field(default_factory=dict)
    values: Node | None = None
    items: Node | None = None
    list_type: str = "atomic"
    keys: tuple[str, ...] = ()
    closed: bool = False
    quantity: bool = False
    int_or_string: bool = False
    byte: bool = False

    def child(self, key: str) -> Node:
        if self.kind == "object":
            found = self.props.get(key)
            if found is not None:
                return found
            return self.values or ANY
        if self.kind == "map":
            return self.values or ANY
        return ANY

    def knows(self, key: str) -> bool:
        """False when the API server would drop `key` (a closed object without it)."""
        return not (self.kind == "object" and self.closed and key not in self.props)

    def item(self) -> Node:
        return self.items or ANY


ANY = Node()
