"""What a rendering verb renders (`Selection`) and how (`RenderOptions`): declared once, shared
by every request that renders (build, validate, lint, values-diff, drift) through inheritance,
and handed to the render layer as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Literal

#: How a selection reads: a plain kustomize overlay, one Flux Kustomization, or all of them.
Mode = Literal["overlay", "ks", "all"]

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(kw_only=True)
class Selection:
    """What to render. `path` is a kustomize overlay folder (neither `ks` nor `all_`), or the
    repository holding the Flux Kustomizations: `ks` (NAMESPACE/NAME, or NAME: unique, or in
    `namespace`) names one by its effective name (after its parent's `namespace:` and
    targetNamespace), `all_` means every one an entry reaches; `cluster` (a folder) limits
    both to one cluster; `include_unreached`: also build the Kustomizations no cluster entry
    applies (as clusters of their own; by default they are listed as unreached)."""

    path: str = "."
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    include_unreached: bool = False
    #: the namespace of `ks` when it is a bare NAME (`-n`, as `flux build ks NAME -n NS`)
    namespace: str | None = None
    #: list every known name in "not found" messages (`-v`), not only the closest ones
    verbose: bool = False


@dataclass(kw_only=True)
class RenderOptions:
    """How to render. `sources`: KIND/NAMESPACE/NAME=DIR overrides; `strict_substitute`:
    postBuild substitution fails on a missing variable (None: as the Flux version each cluster
    installs does, strict from kustomize-controller v1.9 / Flux 2.9 on); `flux_version`: the
    Flux release to assume for every cluster instead of detecting it; `kustomize_bin`: a
    standalone kustomize instead of the bundled kubectl; `jobs`: parallel engine runs (0: one
    per core); `cache`: read and write the build cache; `allow_remote`: let kustomize fetch
    remote bases and URLs (offline otherwise); `progress`: called with (done, total)."""

    sources: list[str] = field(default_factory=list)
    strict_substitute: bool | None = None
    flux_version: str | None = None
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    allow_remote: bool = False
    progress: Progress | None = None
    cancelled: Cancelled | None = None


def as_kwargs(value: Selection | RenderOptions, **changes: Any) -> dict[str, Any]:
    """The fields of a selection or of render options as keyword arguments (for a request
    that derives from them), with `changes` applied."""
    out = {f.name: getattr(value, f.name) for f in fields(value)}
    out.update(changes)
    return out
