"""fluxops drift: where the live cluster differs from what the repo renders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.drift.verb import DriftRequest

if TYPE_CHECKING:
    from fluxops.drift.verdicts import DriftResult

__all__ = ["DriftRequest", "drift"]


def drift(request: DriftRequest) -> DriftResult:
    """Render like `build`, read the live objects (cluster or snapshot) and compare: missing,
    drifted (field by field) and orphaned objects, with Flux's exclusions and ignore rules.
    Writes nothing: reads, and in server mode server-side apply dry runs (dryRun=All)."""
    from fluxops.drift.verb import run

    return run(request, warm_up=_load_renderers)


def _load_renderers() -> None:
    """drift's formatters, imported while the render waits on kustomize."""
    import fluxops.output.drift  # noqa: F401
