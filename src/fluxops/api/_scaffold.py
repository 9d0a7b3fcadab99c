"""fluxops init and fluxops skill: new files only, never an overwrite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.scaffold.verb import InitRequest

if TYPE_CHECKING:
    from fluxops.scaffold.verb import InitResult

__all__ = ["InitRequest", "init", "install_skill", "skill_text"]


def init(request: InitRequest) -> InitResult:
    """Scaffold the recommended layout (existing files are kept; `dry_run`: write nothing)."""
    from fluxops.scaffold.verb import run

    return run(request)


def skill_text() -> str:
    """The gitops skill, SKILL.md in the Agent Skills format."""
    from fluxops.scaffold.skill import skill_text as text

    return text()


def install_skill(directory: str) -> Path:
    """Write DIR/fluxops-gitops/SKILL.md; an existing file is an OutputError naming it."""
    from fluxops.scaffold.skill import install

    return install(Path(directory))
