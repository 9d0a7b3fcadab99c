"""The objects in one Flux object's inventory (`status.inventory.entries` of a Kustomization or
HelmRelease), read from a live cluster or a snapshot: found, missing, or unreadable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fluxops.cluster.snapshot import ObjectSource
from fluxops.cluster.snapshot_writer import InventoryRef, inventory_refs
from fluxops.errors import ClusterError

Obj = dict[str, Any]

#: Entries of one kind in one namespace are listed (and filtered) from this many on.
LIST_FROM = 4


@dataclass
class InventoryRead:
    """Each inventory entry's object (None: not in the cluster), and the entries that could
    not be read with why."""

    refs: list[InventoryRef] = field(default_factory=list)
    objects: dict[InventoryRef, Obj | None] = field(default_factory=dict)
    errors: dict[InventoryRef, str] = field(default_factory=dict)


def read_inventory(source: ObjectSource, owner: Obj, workers: int = 8) -> InventoryRead:
    """Read every object listed in `owner`'s inventory (in parallel, one LIST per kind and
    namespace when several are wanted there)."""
    out = InventoryRead(refs=inventory_refs([owner]))
    groups: dict[tuple[str, str, str], list[InventoryRef]] = {}
    for ref in out.refs:
        groups.setdefault((ref.api_version, ref.kind, ref.namespace), []).append(ref)

    def one(key: tuple[str, str, str]) -> None:
        api_version, kind, namespace = key
        wanted = groups[key]
        try:
            if len(wanted) >= LIST_FROM:
                by_name = {
                    str((o.get("metadata") or {}).get("name")): o
                    for o in source.list(api_version, kind, namespace or None)
                }
                for ref in wanted:
                    out.objects[ref] = by_name.get(ref.name)
            else:
                for ref in wanted:
                    out.objects[ref] = source.get(api_version, kind, ref.name, namespace or None)
        except ClusterError as exc:
            for ref in wanted:
                out.errors[ref] = exc.message

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(one, sorted(groups)))
    return out
