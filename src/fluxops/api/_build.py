"""fluxops build: a kustomize overlay, one Flux Kustomization, or all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.render.verb import BuildRequest, abort_engines, parse_source_overrides

if TYPE_CHECKING:
    from fluxops.loader.repo import Repo
    from fluxops.model.results import BuildResult

__all__ = ["BuildRequest", "abort_engines", "build", "parse_source_overrides"]


def build(request: BuildRequest, repo: Repo | None = None) -> BuildResult:
    """Render a kustomize overlay, one Flux Kustomization, or all of them."""
    from fluxops.render.verb import run, selection_mode

    mode = selection_mode(request)
    return run(request, request, owner_labels=request.owner_labels, repo=repo, mode=mode)
