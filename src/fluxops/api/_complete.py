"""Names for shell completion: Kustomizations and clusters, from the repository's files."""

from __future__ import annotations

from fluxops.render.select import CompletionNames, completion_names

__all__ = ["CompletionNames", "completion_names"]
