"""Compare a desired object with the live one, field by field, the way the API server reads it.

`compare_fields` walks the fields the desired object sets (after `prepare_desired`) and looks
each up in the live object:

- a field the desired object does not set is not compared: defaults the server filled in, and
  fields other managers own, are not drift;
- values are compared as the server normalises them: quantities by value (`1000m` == `1`),
  int-or-string (`8080` == `"8080"`), base64 bytes after decoding, and an empty value (`""`,
  `0`, `false`, `{}`, `[]`) equals an absent one (Go's `omitempty`);
- lists follow server-side apply: `map` lists (containers, env, ports...) match items by their
  keys (`protocol` defaults to TCP), `set` lists by value, `atomic` lists position by position
  and must have the same length;
- when the live object's managedFields are known, a field Flux's field manager owns but the
  desired object no longer sets is reported as `unexpected`: the next apply removes it.

`compare_full` is the symmetric diff `--mode server` uses between the dry-run result and the
live object (both come from the server: compared exactly, lists by merge keys when known).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fluxops.drift.managed_fields import (
    cleanup_metadata,
    handed_over_fields,
    kubectl_fields,
    not_in_desired,
    owned_fields,
    owned_member,
    owned_value,
)
from fluxops.drift.verdicts import Difference, Op
from fluxops.model.kube.paths import Index, Item, Path, format_path, format_pointer
from fluxops.model.kube.scalars import ABSENT, KEY_DEFAULTS, is_empty, scalar_equal
from fluxops.model.kube.schema import Node

__all__ = [
    "cleanup_metadata",
    "compare_fields",
    "compare_full",
    "handed_over_fields",
    "is_empty",
    "item_key",
    "kubectl_fields",
    "not_in_desired",
    "owned_fields",
    "scalar_equal",
]


def item_key(item: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    out = []
    for k in keys:
        if k in item and item[k] is not None:
            out.append((k, item[k]))
        elif k in KEY_DEFAULTS:
            out.append((k, KEY_DEFAULTS[k]))
    return tuple(out)


def _same_item(key: tuple[tuple[str, Any], ...], live_item: Any) -> bool:
    if not isinstance(live_item, dict) or not key:
        return False
    return all(scalar_equal(v, live_item.get(k, KEY_DEFAULTS.get(k, ABSENT))) for k, v in key)


class _Walker:
    def __init__(self, project: bool = False) -> None:
        self.diffs: list[Difference] = []
        self.project = project

    def add(self, path: Path, op: Op, desired: Any, live: Any) -> None:
        self.diffs.append(Difference(format_path(path), format_pointer(path), op, desired, live))

    # -- the desired-driven walk ------------------------------------------------------------

    def walk(self, d: Any, live: Any, node: Node, owned: Any, path: Path) -> Any:
        """Compare; return the live value projected onto the desired shape (for the view)."""
        if isinstance(d, dict):
            return self._map(d, live, node, owned, path)
        if isinstance(d, list):
            return self._list(d, live, node, owned, path)
        if live is ABSENT or live is None:
            if is_empty(d):
                return d
            self.add(path, "missing", d, ABSENT)
            return ABSENT
        if isinstance(live, dict | list):
            self.add(path, "changed", d, live)
            return live
        if scalar_equal(d, live, node, path):
            return d
        self.add(path, "changed", d, live)
        return live

    def _map(self, d: dict[str, Any], live: Any, node: Node, owned: Any, path: Path) -> Any:
        if not isinstance(live, dict):
            if (live is ABSENT or live is None) and is_empty(d):
                return d
            self.add(path, "missing" if live is ABSENT or live is None else "changed", d, live)
            return live
        out: dict[str, Any] = {}
        owned_map = owned if isinstance(owned, dict) else None
        for key, value in d.items():
            if value is None:
                continue
            sub = owned_map.get("f:" + key) if owned_map is not None else None
            got = self.walk(value, live.get(key, ABSENT), node.child(key), sub, (*path, key))
            if self.project and got is not ABSENT:
                out[key] = got
        if owned_map:
            for key, value in live.items():
                if key not in d and "f:" + key in owned_map:
                    self.add((*path, key), "unexpected", ABSENT, value)
                    out[key] = value
        return out

    def _list(self, d: list[Any], live: Any, node: Node, owned: Any, path: Path) -> Any:
        if not isinstance(live, list):
            if (live is ABSENT or live is None) and not d:
                return d
            self.add(path, "missing" if live is ABSENT or live is None else "changed", d, live)
            return live
        owned_map = owned if isinstance(owned, dict) else None
        if node.kind == "list" and node.list_type == "map" and all(isinstance(i, dict) for i in d):
            return self._map_list(d, live, node, owned_map, path)
        if node.kind == "list" and node.list_type == "set":
            out = []
            for i, value in enumerate(d):
                if any(scalar_equal(value, lv, node.item()) for lv in live):
                    out.append(value)
                else:
                    self.add((*path, Index(i)), "missing", value, ABSENT)
            for i, value in enumerate(live):
                if not any(scalar_equal(dv, value, node.item()) for dv in d) and owned_value(
                    owned_map, value
                ):
                    self.add((*path, Index(i)), "unexpected", ABSENT, value)
                    out.append(value)
            return out
        if len(d) != len(live):
            self.add(path, "changed", d, live)
            return live
        return [
            self.walk(dv, lv, node.item(), None, (*path, Index(i)))
            for i, (dv, lv) in enumerate(zip(d, live, strict=True))
        ]

    def _map_list(
        self,
        d: list[dict[str, Any]],
        live: list[Any],
        node: Node,
        owned: dict[str, Any] | None,
        path: Path,
    ) -> Any:
        used: set[int] = set()
        out: list[Any] = []
        for di, item in enumerate(d):
            key = item_key(item, node.keys)
            li = next(
                (i for i, lv in enumerate(live) if i not in used and _same_item(key, lv)), None
            )
            if li is None:
                self.add((*path, Item(key, di)), "missing", item, ABSENT)
                continue
            used.add(li)
            sub = owned_member(owned, live[li], node.keys)
            got = self.walk(item, live[li], node.item(), sub, (*path, Item(key, li)))
            out.append(got if got is not ABSENT else {})
        if owned:
            for li, lv in enumerate(live):
                if li not in used and owned_member(owned, lv, node.keys) is not None:
                    key = item_key(lv, node.keys)
                    self.add((*path, Item(key, li)), "unexpected", ABSENT, lv)
                    out.append(lv)
        return out

    # -- the symmetric walk (server mode) -----------------------------------------------------

    def full(self, a: Any, b: Any, node: Node, path: Path) -> None:
        """`a`: what Flux would leave (dry-run result); `b`: the live object."""
        if isinstance(a, dict) and isinstance(b, dict):
            for key in a:
                if key in b:
                    self.full(a[key], b[key], node.child(key), (*path, key))
                else:
                    self.add((*path, key), "missing", a[key], ABSENT)
            for key in b:
                if key not in a:
                    self.add((*path, key), "unexpected", ABSENT, b[key])
            return
        if isinstance(a, list) and isinstance(b, list):
            if (
                node.kind == "list"
                and node.list_type == "map"
                and all(isinstance(i, dict) for i in a + b)
            ):
                used: set[int] = set()
                for ai, item in enumerate(a):
                    key = item_key(item, node.keys)
                    bi = next(
                        (i for i, lv in enumerate(b) if i not in used and _same_item(key, lv)), None
                    )
                    if bi is None:
                        self.add((*path, Item(key, ai)), "missing", item, ABSENT)
                    else:
                        used.add(bi)
                        self.full(item, b[bi], node.item(), (*path, Item(key, bi)))
                for bi, lv in enumerate(b):
                    if bi not in used:
                        self.add(
                            (*path, Item(item_key(lv, node.keys), bi)), "unexpected", ABSENT, lv
                        )
                return
            if len(a) == len(b):
                for i, (x, y) in enumerate(zip(a, b, strict=True)):
                    self.full(x, y, node.item(), (*path, Index(i)))
                return
        if not _json_equal(a, b):
            self.add(path, "changed", a, b)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def compare_fields(
    desired: dict[str, Any],
    live: dict[str, Any],
    node: Node,
    owned: dict[str, Any] | None = None,
    *,
    project: bool = True,
) -> tuple[list[Difference], dict[str, Any]]:
    """Differences between a prepared desired object and the live one, and (when there are
    differences and `project`) the live object projected onto the fields the desired one
    sets, plus `unexpected` fields: the live side of a readable diff."""
    walker = _Walker()
    walker.walk(desired, live, node, owned, ())
    if not walker.diffs or not project:
        return walker.diffs, {}
    projector = _Walker(project=True)
    projected = projector.walk(desired, live, node, owned, ())
    return walker.diffs, projected if isinstance(projected, dict) else {}


def compare_full(merged: Any, live: Any, node: Node) -> list[Difference]:
    walker = _Walker()
    walker.full(merged, live, node, ())
    return walker.diffs
