"""Bounds on YAML documents, checked on the composed node graph before anything is built.

Go's YAML decoders (gopkg.in/yaml.v2 and v3, which kustomize, Flux and Helm read YAML with)
refuse two kinds of hostile input, and so does fluxops:

- excessive aliasing ("billion laughs"): yaml.v3's `allowedAliasRatio` rule, reimplemented.
  Counting every node a full decode would visit (`decoded`, aliases expanded) and those it
  visits only because of an alias (`aliased`), a document fails when `aliased > 100`,
  `decoded > 1000` and `aliased / decoded` exceeds 0.99 up to 400,000 decodes, falling
  linearly to 0.10 at 4,000,000 and beyond;
- nesting: Go stops at 10,000 levels. Python code that walks a document recursively cannot
  go that deep, so fluxops stops at `MAX_DEPTH` (200) levels, aliases expanded; no real
  manifest comes close (the deepest document in the test corpus has 23 levels). libyaml
  itself stops at 1,000 while scanning.

A recursive alias (an anchor used inside its own node) is refused too: Go reports it as an
error, PyYAML would build a structure that contains itself.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from fluxops.errors import YamlError

MAX_DEPTH = 200
_RANGE_LOW = 400_000
_RANGE_HIGH = 4_000_000
_CAP = 1 << 62  # sizes are only compared with the limits: saturate instead of growing


class YamlLimitError(YamlError, yaml.YAMLError):
    """A document over a limit. `problem` says which; `line` is 1-based (or None)."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def allowed_alias_ratio(decoded: int) -> float:
    """yaml.v3's `allowedAliasRatio`."""
    if decoded <= _RANGE_LOW:
        return 0.99
    if decoded >= _RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * ((decoded - _RANGE_LOW) / (_RANGE_HIGH - _RANGE_LOW))


def _children(node: Any) -> list[Any]:
    value = node.value
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, tuple):
                out.extend(item)
            else:
                out.append(item)
        return out
    return []


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def check_node(root: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise YamlLimitError when the document rooted at the composed node `root` nests deeper
    than `max_depth` (aliases expanded), aliases itself, or expands aliases excessively."""
    if root is None:
        return
    depth: dict[int, int] = {}
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            d = 1 + max((depth[id(c)] for c in children), default=0)
            if d > max_depth:
                raise YamlLimitError(
                    f"the document nests more than {max_depth} levels deep", _line(node)
                )
            depth[key] = d
            size[key] = min(_CAP, 1 + sum(size[id(c)] for c in children))
            continue
        if key in depth:
            continue
        if key in on_path:
            raise YamlLimitError("an alias refers to the node that contains it", _line(node))
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in depth:
                stack.append((child, False))
    decoded = size[id(root)]
    aliased = decoded - len(size)
    if aliased > 100 and decoded > 1000 and aliased / decoded > allowed_alias_ratio(decoded):
        raise YamlLimitError(
            "the document contains excessive aliasing (it would expand to "
            f"{decoded if decoded < _CAP else 'billions of'} nodes)",
            _line(root),
        )


def needs_check(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """False when the text alone shows that no document in it can alias (no `&` anchor) or
    nest deeper than `max_depth`, so that `check_node` can be skipped (it costs about as much
    as building the document). Block nesting needs indentation: a chain of nested block nodes
    gains at least one column every two levels, so depth <= 2 * (widest line prefix of
    spaces, dashes, `?` and `:`) + 2; each flow level needs its own `[` or `{`."""
    if "&" in text:
        return True
    budget = max_depth - 2 - text.count("[") - text.count("{")
    if budget <= 2:
        return True
    return _prefix(budget // 2).search(text) is not None


@functools.lru_cache(maxsize=256)
def _prefix(width: int) -> re.Pattern[str]:
    return re.compile(r"^[ \t?:-]{" + str(width) + "}", re.MULTILINE)


def check_value_depth(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether decoded data (JSON) nests at most `max_depth` levels; iterative."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, d = stack.pop()
        if d > max_depth:
            return False
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return True
