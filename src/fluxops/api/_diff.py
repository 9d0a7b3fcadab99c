"""fluxops diff: what Flux would apply differently at one git revision than at another."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.changes.verb import DiffRequest

if TYPE_CHECKING:
    from fluxops.changes.result import DiffResult

__all__ = ["DiffRequest", "diff"]


def diff(request: DiffRequest) -> DiffResult:
    """Render `request.base` and `request.head` (or the working tree) alike and compare."""
    from fluxops.changes.verb import run

    return run(request)
