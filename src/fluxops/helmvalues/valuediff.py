"""A small recursive diff of Helm values.

Maps are walked key by key; everything else, lists included, is one value (Helm replaces a list
as a whole, it never merges one). Equality is strict about types the way Go is: `true` is not
`1`, `"1"` is not `1`; `1` and `1.0` are equal (helm-controller decodes every number as a
float64). Output is sorted by path, so it is deterministic.

Paths are tuples of keys (and, where a caller builds them, list indexes); `render_path` writes
one in Helm's `--set` form, `a.b\\.c[0]`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["MISSING", "Change", "Row", "diff_across", "diff_values", "render_path", "values_equal"]

Path = tuple[Any, ...]
Op = Literal["add", "remove", "change"]


class _Missing:
    """The value of a path that an environment (or side of a diff) does not have."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __copy__(self) -> _Missing:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _Missing:
        return self


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One difference between two values trees. `old` is MISSING for an add, `new` for a
    remove."""

    op: Op
    path: Path
    old: Any
    new: Any


@dataclass(frozen=True)
class Row:
    """One value path across environments: `values[env]` is the value there, or MISSING."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def differs(self) -> bool:
        items = list(self.values.values())
        return any(not values_equal(items[0], v) for v in items[1:])


def values_equal(a: Any, b: Any) -> bool:
    """Value equality as Go would see decoded values (see the module docstring)."""
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _key_order(key: Any) -> tuple[int, str, Any]:
    """Sort keys deterministically even when they are not all strings."""
    if isinstance(key, str):
        return (0, key, 0)
    if isinstance(key, int) and not isinstance(key, bool):
        return (1, "", key)
    return (2, repr(key), 0)


def diff_values(a: Any, b: Any, path: Path = ()) -> Iterator[Change]:
    """The changes that turn values `a` into values `b`, sorted by path."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(a.keys() | b.keys(), key=_key_order):
            sub = (*path, key)
            if key not in b:
                yield Change("remove", sub, a[key], MISSING)
            elif key not in a:
                yield Change("add", sub, MISSING, b[key])
            else:
                yield from diff_values(a[key], b[key], sub)
    elif not values_equal(a, b):
        yield Change("change", path, a, b)


def diff_across(envs: Mapping[str, Any], *, include_equal: bool = False) -> list[Row]:
    """One row per value path whose value differs across the environments (every path with
    `include_equal`). Where every environment that has a path holds a map there, the maps are
    walked (an environment without the map shows MISSING on each row below it); where one holds
    a map and another a scalar or list, the row holds the whole values, and a path that is an
    empty map everywhere it exists is one row. Environments keep the order given; rows are
    sorted by path."""
    rows: list[Row] = []
    names = list(envs)
    if names:
        _walk(names, [envs[n] for n in names], (), include_equal, rows)
    return rows


def _walk(names: list[str], nodes: list[Any], path: Path, include: bool, out: list[Row]) -> None:
    present = [n for n in nodes if n is not MISSING]
    keys: set[Any] = set()
    for node in present:
        if isinstance(node, Mapping):
            keys.update(node.keys())
    if path == () or (keys and all(isinstance(n, Mapping) for n in present)):
        for key in sorted(keys, key=_key_order):
            children = [n.get(key, MISSING) if isinstance(n, Mapping) else MISSING for n in nodes]
            _walk(names, children, (*path, key), include, out)
        return
    row = Row(path, dict(zip(names, nodes, strict=True)))
    if include or row.differs:
        out.append(row)


_ESCAPED = str.maketrans({c: "\\" + c for c in "\\.[,="})


def render_path(path: Path) -> str:
    """A path as a Helm `--set` key: keys joined by `.`, with `\\ . [ , =` escaped, and list
    indexes as `[n]`. `("a", "b.c", 0)` is `a.b\\.c[0]`."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        else:
            text = str(part).translate(_ESCAPED)
            out.append(f".{text}" if out else text)
    return "".join(out)
