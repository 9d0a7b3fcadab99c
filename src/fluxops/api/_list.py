"""fluxops list: the Flux Kustomizations, HelmReleases and sources a repository defines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.render.listing import LIST_KINDS, ListRequest

if TYPE_CHECKING:
    from fluxops.render.listing import ListResult

__all__ = ["LIST_KINDS", "ListRequest", "list_"]


def list_(request: ListRequest) -> ListResult:
    """Every Flux Kustomization an entry reaches, and the HelmReleases and sources they
    define, per cluster (`api.list` is this function)."""
    from fluxops.render.listing import run

    return run(request)
