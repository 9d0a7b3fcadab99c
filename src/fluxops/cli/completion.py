"""Shell completion of Kustomization and cluster names (click's `shell_complete`): reads only
the repository's YAML files (no rendering), so it answers quickly; see docs/cli.md."""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem


def _path(ctx: click.Context) -> str:
    value = ctx.params.get("path")
    if isinstance(value, str) and value not in ("", "."):
        return value
    # click may not have parsed PATH yet (it comes before the option being completed): the
    # first word of the command line that is a folder
    import os
    from pathlib import Path

    for word in os.environ.get("COMP_WORDS", "").split()[2:]:
        if not word.startswith("-") and Path(word).is_dir():
            return word
    return "."


def complete_ks(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """NAMESPACE/NAME and NAME of the Flux Kustomizations in PATH's files."""
    from fluxops import api

    try:
        names = api.completion_names(_path(ctx)).kustomizations
    except Exception:  # completion never fails loudly
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def complete_cluster(ctx: click.Context, param: Any, incomplete: str) -> list[CompletionItem]:
    """The cluster folders of PATH (those with a cluster entry)."""
    from fluxops import api

    try:
        names = api.completion_names(_path(ctx)).clusters
    except Exception:  # completion never fails loudly
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]
