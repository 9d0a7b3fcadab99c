"""fluxops explain: why one Flux object is not ready, and what to run next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.status.explain import ExplainRequest

if TYPE_CHECKING:
    from fluxops.status.explain_model import ExplainResult

__all__ = ["ExplainRequest", "explain"]


def explain(request: ExplainRequest) -> ExplainResult:
    """The blocking chain, conditions, events, controller logs, inventory health and Helm
    history of one object (live or from a snapshot), with the next commands to run."""
    from fluxops.status.explain import run

    return run(request)
