"""fluxops validate: render, then check every object against its schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.validate.verb import ValidateRequest

if TYPE_CHECKING:
    from fluxops.validate.results import ValidateResult

__all__ = ["ValidateRequest", "validate"]


def validate(request: ValidateRequest) -> ValidateResult:
    """Render like `build`, then validate every object against its schema (built-in kinds,
    the Flux CRDs, CRDs found in the repo or the output), CEL rules included."""
    from fluxops.validate.verb import run

    return run(request)
