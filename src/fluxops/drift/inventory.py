"""A live Flux Kustomization's inventory (`status.inventory.entries`): what it applied, by
identity and apiVersion. Its own module, light to import: `drift --ks` reads it while the
repository still renders, to ask for those objects ahead of time."""

from __future__ import annotations

from typing import Any

Key = tuple[str, str, str, str]  # group, kind, namespace, name
Obj = dict[str, Any]

__all__ = ["inventory_of", "parse_inventory_id"]


def parse_inventory_id(entry_id: str) -> Key | None:
    """`<namespace>_<name>_<group>_<kind>` (cli-utils ObjMetadata; `:` in names is `__`)."""
    first = entry_id.find("_")
    last = entry_id.rfind("_")
    if first < 0 or last <= first:
        return None
    namespace, rest, kind = entry_id[:first], entry_id[first + 1 : last], entry_id[last + 1 :]
    cut = rest.rfind("_")
    if cut < 0:
        return None
    name, group = rest[:cut].replace("__", ":"), rest[cut + 1 :]
    return (group, kind, namespace, name) if name and kind else None


def inventory_of(live_ks: Obj | None) -> dict[Key, str] | None:
    status = live_ks.get("status") if isinstance(live_ks, dict) else None
    inventory = status.get("inventory") if isinstance(status, dict) else None
    if not isinstance(inventory, dict):
        return None
    out: dict[Key, str] = {}
    for entry in inventory.get("entries") or []:
        if not isinstance(entry, dict):
            continue
        key = parse_inventory_id(str(entry.get("id", "")))
        if key is not None:
            version = str(entry.get("v") or "")
            out[key] = f"{key[0]}/{version}" if key[0] else version
    return out
