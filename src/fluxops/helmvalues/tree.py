"""The values tree as Helm and Flux change it: fluxcd/pkg `MergeMaps` (with Go's sharing of
nested maps), paths into it, and what Helm's `CoalesceValues` does to nulls at chart-merge
time."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

Path = tuple[str | int, ...]


# --- MergeMaps ----------------------------------------------------------------------------------


def merge_maps(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """fluxcd/pkg `chartutil.MergeMaps`: `b` over `a`, maps merged recursively, anything else
    (lists, scalars, null) replaced. Returns a new structure; neither input is modified."""
    return copy.deepcopy(merge_shared(a, b))


def merge_shared(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """MergeMaps with Go's sharing: values not merged are the very objects of `a` and `b`."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict):
            existing = out.get(k)
            if isinstance(existing, dict):
                out[k] = merge_shared(existing, v)
                continue
        out[k] = v
    return out


# --- values paths -------------------------------------------------------------------------------

NOT_FOUND = object()


def holds(node: Any, part: str | int) -> bool:
    if isinstance(part, int):
        return isinstance(node, list) and 0 <= part < len(node)
    return isinstance(node, dict) and part in node


def value_at(values: Any, path: Path) -> Any:
    node = values
    for part in path:
        if not holds(node, part):
            return NOT_FOUND
        node = node[part]
    return node


def set_at(values: Any, path: Path, new: Any) -> None:
    parent = value_at(values, path[:-1])
    if holds(parent, path[-1]):
        parent[path[-1]] = new


def leaves(values: Any, prefix: Path, *, into_lists: bool = False) -> Iterator[tuple[Path, Any]]:
    """(path, value) for every non-map value and every empty map. Lists are leaves, unless
    `into_lists`, where their non-null elements are walked instead (`--set a[2]=x` writes only
    element 2; the nulls before it are padding)."""
    if isinstance(values, dict) and values:
        for k, v in values.items():
            yield from leaves(v, (*prefix, k), into_lists=into_lists)
    elif into_lists and isinstance(values, list) and values:
        for i, v in enumerate(values):
            if v is not None:
                yield from leaves(v, (*prefix, i), into_lists=into_lists)
    elif prefix:
        yield prefix, values


# --- nulls at chart-merge time ------------------------------------------------------------------


def remove_nulls(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values with every map key whose value is `null` removed, recursively (list elements
    are left alone). This is what Helm's coalesce does to a null whose key the chart's defaults
    define, the usual intent ("delete a default key"); use `coalesce_values` with the chart's
    values.yaml for the exact result. Returns a new structure."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if v is None:
            continue
        out[k] = remove_nulls(v) if isinstance(v, Mapping) else copy.deepcopy(v)
    return out


def coalesce_values(values: Mapping[str, Any], chart_defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Helm v4 `CoalesceValues` for a chart without subcharts: user `values` over the chart's
    defaults. A user `null` deletes the key when the chart defines it at the top level, and
    anywhere inside a map both sides define; a top-level null for a key the chart lacks stays.
    A map never replaces a scalar default and a scalar never replaces a map default (Helm logs
    a warning and keeps the user's value). Returns a new structure."""
    v = copy.deepcopy(dict(values))
    for key, default in copy.deepcopy(dict(chart_defaults)).items():
        if key not in v:
            v[key] = default
        elif v[key] is None:
            del v[key]
        elif isinstance(v[key], dict) and isinstance(default, dict):
            _coalesce_tables(v[key], default)
    return v


def _coalesce_tables(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for key, val in dst.items():
        if val is None:
            src[key] = None
    for key, val in src.items():
        if key in dst and dst[key] is None:
            del dst[key]
        elif key not in dst:
            dst[key] = val
        elif isinstance(val, dict) and isinstance(dst[key], dict):
            _coalesce_tables(dst[key], val)
