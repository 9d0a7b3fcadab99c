"""fluxops values-diff: a HelmRelease's effective values across environments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.helmvalues.verb import ValuesDiffRequest

if TYPE_CHECKING:
    from fluxops.helmvalues.releases import ValuesDiffResult

__all__ = ["ValuesDiffRequest", "values_diff"]


def values_diff(request: ValuesDiffRequest) -> ValuesDiffResult:
    """A HelmRelease's effective values (or every release's) compared across environments."""
    from fluxops.helmvalues.verb import run

    return run(request)
