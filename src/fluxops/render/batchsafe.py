"""Which prepared builds may share one kustomize run, and in which groups.

A batch is a generated parent kustomization listing, for each member, a wrapper folder whose
only resource is the member's build folder (render/batch.py). Each member keeps its own
transformers: kustomize applies a kustomization's transformers to its own resources only. What
the parent level still does, and so what could make a batched output differ from the member's
own build, decides the rules here:

- kustomize gives every nested kustomization the buildMetadata of the top one: a member whose
  kustomization asks for anything but `originAnnotations` (the one fluxops adds) is built alone;
- `sortOptions` is read from the top kustomization only: a member that sets it is built alone;
  so is one that names anything remote (never cached, fetched with its own rules) or uses
  `helmCharts` / `helmGlobals`;
- the parent fixes name references across all members (kustomize's nameReference pass): a
  member that renames objects (configMapGenerator / secretGenerator with a hash suffix,
  `generators`, namePrefix / nameSuffix, `transformers`, `replacements`) exposes their old
  names, and a reference in another member to such a name, in the same namespace, would be
  rewritten. Such a member never shares a group with a member that may write to the same
  namespace (its targetNamespace, or any namespace when it has none). Renamed cluster-scoped
  objects are caught after the build (render/batch.py: the group is then built one by one).

Objects claimed by two members collide in the parent (kustomize refuses the batch); the group
is then built one by one, as is a group with any error, so errors stay attributed exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

#: Members in one kustomize run at most (measured in bench/: past ~32 the run's own cost grows
#: faster than the process floor it saves, and fewer groups than cores leave cores idle).
MAX_GROUP = 32

_ALONE_FIELDS = ("sortOptions", "helmCharts", "helmGlobals")
_OPAQUE_RENAMERS = ("generators", "transformers", "replacements")
_AFFIXES = ("namePrefix", "nameSuffix")


@dataclass(frozen=True)
class Traits:
    """What batching needs to know about one prepared build. `alone`: why it must be built on
    its own (empty: it may be batched). `namespace`: where all its namespaced objects land
    (its targetNamespace), None when unknown. `renames`: it may rename objects;
    `renames_any`: cluster-scoped ones too (name affixes, transformers, replacements, plugins:
    not only generated ConfigMaps and Secrets)."""

    alone: str = ""
    namespace: str | None = None
    renames: bool = False
    renames_any: bool = False


def _hash_suffixed(kus: dict[str, Any]) -> bool:
    """Whether a generator of this kustomization appends a content hash to its names."""
    options = kus.get("generatorOptions")
    disabled = isinstance(options, dict) and options.get("disableNameSuffixHash") is True
    for name in ("configMapGenerator", "secretGenerator"):
        entries = kus.get(name)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            own = entry.get("options") if isinstance(entry, dict) else None
            own_disabled = own.get("disableNameSuffixHash") if isinstance(own, dict) else None
            if own_disabled is True:
                continue
            if own_disabled is False or not disabled:
                return True
    return False


def traits(
    top: dict[str, Any],
    reached: Iterable[dict[str, Any]],
    *,
    target_namespace: str,
    remote: bool,
) -> Traits:
    """The traits of a build of the generated kustomization `top`, which reaches the
    kustomizations `reached` (its own included or not: both are read)."""
    metadata = top.get("buildMetadata")
    if metadata != ["originAnnotations"]:
        return Traits(alone="its kustomization sets buildMetadata")
    if remote:
        return Traits(alone="it names remote resources")
    renames = renames_any = False
    for kus in [top, *reached]:
        for name in _ALONE_FIELDS:
            if kus.get(name):
                return Traits(alone=f"a kustomization it reaches sets {name}")
        if any(kus.get(name) for name in (*_OPAQUE_RENAMERS, *_AFFIXES)):
            renames = renames_any = True
        elif _hash_suffixed(kus):
            renames = True
    return Traits(namespace=target_namespace or None, renames=renames, renames_any=renames_any)


def conflict(a: Traits, b: Traits) -> bool:
    """Whether the name references of `a` and `b` could meet in one parent kustomization."""
    if not (a.renames or b.renames):
        return False
    if a.namespace is None or b.namespace is None:
        return True
    return a.namespace == b.namespace


T = TypeVar("T")


def plan(items: Sequence[T], of: dict[int, Traits], workers: int) -> list[list[T]]:
    """Groups of `items` (each item's traits in `of`, by position) to build together: at most
    `MAX_GROUP` each, at least one per worker when there are enough items, no two conflicting
    members in one group. A group of one is built on its own."""
    if not items:
        return []
    count = max(workers, math.ceil(len(items) / MAX_GROUP))
    size = max(1, math.ceil(len(items) / count))
    groups: list[list[int]] = []
    for index in range(len(items)):
        mine = of[index]
        for group in groups:
            if len(group) < size and not any(conflict(mine, of[i]) for i in group):
                group.append(index)
                break
        else:
            groups.append([index])
    return [[items[i] for i in group] for group in groups]
